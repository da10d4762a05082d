-- The parent's retry leaves a job held for review to the operator's release, even when another of its pages
-- failed: retry_story answers 0, the failed page stays failed with its error and gets no new task, the flagged
-- page stays flagged, and the job keeps its state and review message with no retry counted.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);
select tests.flag(tests.id('story'), 3);
select tests.fail_page_for_good(tests.id('story'), 4);

create temporary table job_before on commit drop as
select status, current_step, error, retries, updated_at from public.generation_jobs
 where id = tests.job_id(tests.id('story'));
create temporary table queue_before on commit drop as select msg_id, vt from pgmq.q_page_tasks;

select is(internal.retry_story(tests.id('story')), 0, 'the retry re-queues nothing');
select results_eq(
  $$select page_number::int, status::text, attempts::int, last_error from public.story_pages
     where story_id = tests.id('story') and page_number in (3, 4) order by page_number$$,
  $$values (3, 'flagged', 2, 'content_refused: the content checker refused it'),
           (4, 'failed', 1, 'provider_error: the image provider answered 503')$$,
  'the flagged page stays flagged and the failed page failed, attempts and errors untouched'
);
select results_eq(
  'select msg_id, vt from pgmq.q_page_tasks order by msg_id',
  'select msg_id, vt from queue_before order by msg_id',
  'no task is queued or moved'
);
select results_eq(
  $$select status, current_step, error, retries, updated_at from public.generation_jobs
     where id = tests.job_id(tests.id('story'))$$,
  'select * from job_before',
  'the job keeps its state and review message, and no retry is counted'
);
select is(
  (select status::text from public.stories where id = tests.id('story')),
  'failed',
  'the story stays failed'
);

select * from finish();
rollback;
