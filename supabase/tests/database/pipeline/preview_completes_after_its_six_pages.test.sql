-- A preview is complete when its six pages (the cover and pages 1–5) are done: not before the last of them, and
-- then the job is completed at 100% and the story completed, with nothing left in the queue.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), n) from generate_series(0, 4) as n;

select results_eq(
  $$select j.status::text, j.pages_completed::int, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('processing', 5, 'processing')$$,
  'with five pages done the preview is still processing'
);

select tests.draw_page(tests.id('story'), 5);
select results_eq(
  $$select j.status::text, j.pages_completed::int, j.current_step, j.completed_at is not null, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('completed', 6, 'done', true, 'completed')$$,
  'the sixth page completes the job and the story'
);
select is(
  (select count(*) from public.story_pages where story_id = tests.id('story') and status = 'done' and preview_path is not null),
  6::bigint,
  'six pages are done, each with its preview'
);
select is_empty('select 1 from pgmq.q_page_tasks', 'no task is left in the queue');

select * from finish();
rollback;
