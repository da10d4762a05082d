-- Each page gets a seed derived from its story and page number, so a retry draws the same scene: seeds are
-- distinct across pages and stories, fit a 31-bit integer, and survive a failure and retry of the page.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('second_story', tests.create_preview(tests.id('owner')));

create temporary table seeds_at_creation on commit drop as
  select page_number, seed from public.story_pages where story_id = tests.id('story');

select is(
  (select count(distinct seed) from public.story_pages where story_id = tests.id('story')),
  11::bigint,
  'the eleven pages of a story have eleven different seeds'
);
select is_empty(
  $$select seed from public.story_pages where story_id = tests.id('story')
    intersect
    select seed from public.story_pages where story_id = tests.id('second_story')$$,
  'two stories share no seed'
);
select is_empty(
  $$select seed from public.story_pages where story_id in (tests.id('story'), tests.id('second_story'))
     and seed not between 0 and 2147483647$$,
  'every seed fits a non-negative 31-bit integer, as image providers expect'
);

select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), false);
select internal.retry_story(tests.id('story'));
select tests.draw_preview(tests.id('story'));
select set_eq(
  $$select page_number, seed from public.story_pages where story_id = tests.id('story')$$,
  'select page_number, seed from seeds_at_creation',
  'a failed and retried story draws every page with the seed it was created with'
);

select * from finish();
rollback;
