-- Retrying a failed story moves its failed pages back to queued with fresh attempts and new task messages, and
-- the job and story to processing; pages already done are left alone. A story with no failed job is not touched.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('page_2', tests.page_id(tests.id('story'), 2));
select tests.draw_page(tests.id('story'), 0);
select tests.draw_page(tests.id('story'), 1);
select tests.fail_attempt(tests.id('story'), 2, tests.claim(tests.id('story'), 2), false);
select max(msg_id) as archived_message from pgmq.a_page_tasks \gset
select tests.remember('healthy', tests.create_preview(tests.id('owner')));

select is(internal.retry_story(tests.id('healthy')), 0, 'a story without a failed job has nothing to retry');
select is(internal.retry_story(tests.id('story')), 1, 'the one failed page is re-queued');
select results_eq(
  $$select status::text, attempts::int, last_error from public.story_pages where id = tests.id('page_2')$$,
  $$values ('queued', 0, null::text)$$,
  'the failed page is queued with fresh attempts and no error'
);
select isnt_empty(
  format($$select 1 from pgmq.q_page_tasks where message ->> 'page_id' = %L and msg_id > %s$$, tests.id('page_2'), :archived_message),
  'a new task message, not the archived one, is queued for it'
);
select results_eq(
  $$select page_number::int, status::text from public.story_pages where story_id = tests.id('story') and page_number <= 5 order by 1$$,
  $$values (0, 'done'), (1, 'done'), (2, 'queued'), (3, 'queued'), (4, 'queued'), (5, 'queued')$$,
  'the pages already done stay done'
);
select results_eq(
  $$select j.status::text, j.retries::int, j.error, j.current_step, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('processing', 1, null::text, 'retrying', 'processing')$$,
  'the job and story are processing again, the retry counted'
);

select tests.draw_page(tests.id('story'), n) from unnest(array[2, 3, 4, 5]) as n;
select results_eq(
  $$select j.status::text, j.pages_completed::int, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('completed', 6, 'completed')$$,
  'the retried story completes'
);

select * from finish();
rollback;
