-- The pages of a story (status, text, watermarked preview path) are visible to the story's owner only. The
-- hi-res path is not a column of the pages at all, so the owner cannot read it before purchase.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('owner_story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('other')));
select tests.draw_page(tests.id('owner_story'), 0);

select hasnt_column('public', 'story_pages', 'hires_path', 'the pages the owner reads carry no hi-res path');

select tests.authenticate_as(tests.id('owner'));
select results_eq(
  'select count(*), count(distinct story_id) from public.story_pages',
  $$values (11::bigint, 1::bigint)$$,
  'the owner reads the cover and ten pages of their one story'
);
select results_eq(
  'select distinct story_id from public.story_pages',
  $$select tests.id('owner_story')$$,
  'the pages the owner reads are those of their own story'
);
select isnt(
  (select preview_path from public.story_pages where story_id = tests.id('owner_story') and page_number = 0),
  null,
  'the owner reads the watermarked preview path of a drawn page'
);

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select id from public.story_pages where story_id = tests.id('owner_story')$$,
  'another user reads none of the owner''s pages'
);

select tests.authenticate_as_anon();
select is_empty('select id from public.story_pages', 'anon reads no page');

select tests.authenticate_as_service();
select is(
  (select count(*) from public.story_pages where story_id in (tests.id('owner_story'), tests.id('other_story'))),
  22::bigint,
  'the service role reads the pages of every story'
);
select tests.clear_authentication();

select * from finish();
rollback;
