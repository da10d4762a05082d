-- When a story page (not the cover) fails, the job's message names the page.
begin;
select plan(2);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select is(tests.fail_attempt(tests.id('story'), 3, tests.claim(tests.id('story'), 3), false), 'failed', 'page 3 fails');
select is(
  (select error from public.generation_jobs where story_id = tests.id('story')),
  'We could not draw page 3. Please press retry.',
  'the job says which page could not be drawn'
);

select * from finish();
rollback;
