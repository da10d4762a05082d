-- Retryable failures are retried until the page has used max_attempts; the failure of the last attempt fails
-- the page, archives its task message and fails the job and story.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

select is((select max_attempts::int from internal.pipeline_settings), 3, 'a page has three attempts');
select is(tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true), 'retrying', 'attempt 1 is retried');
select is(tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true), 'retrying', 'attempt 2 is retried');
select is(
  tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true),
  'failed',
  'attempt 3 fails for good, although the error was retryable'
);
select results_eq(
  format('select msg_id, read_ct from pgmq.a_page_tasks where msg_id = %s', :message),
  format('values (%s::bigint, 1)', :message),
  'the task message, delivered once and retried through its visibility timeout, is archived'
);
select results_eq(
  $$select p.status::text, p.attempts::int, j.status::text, s.status::text
      from public.story_pages p join public.generation_jobs j on j.id = p.job_id join public.stories s on s.id = p.story_id
     where p.id = tests.id('cover')$$,
  $$values ('failed', 3, 'failed', 'failed')$$,
  'the page failed after three attempts, and so did the job and story'
);

select * from finish();
rollback;
