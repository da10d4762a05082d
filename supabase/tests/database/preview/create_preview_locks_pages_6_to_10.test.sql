-- A preview draws the cover and pages 1–5; pages 6–10 keep their text and are locked until the book is bought.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));

select results_eq(
  $$select page_number::int, is_locked from public.story_pages where story_id = tests.id('story') order by page_number$$,
  $$select n, n > 5 from generate_series(0, 10) as n$$,
  'the cover and pages 1–5 are unlocked, pages 6–10 locked'
);
select results_eq(
  $$select page_number::int, body_text from public.story_pages where story_id = tests.id('story') order by page_number$$,
  $$select (page ->> 'page_number')::int, page ->> 'body_text' from jsonb_array_elements(tests.page_texts()) as page$$,
  'every page, locked or not, keeps the personalised text it was given'
);

select tests.draw_preview(tests.id('story'));
select is(
  (select array_agg(distinct status::text) from public.story_pages where story_id = tests.id('story') and is_locked),
  array['pending'],
  'a finished preview never queued a locked page'
);

select * from finish();
rollback;
