-- A parent can retry a failed story max_story_retries times; the next retry is refused with TC429 and leaves
-- the failed pages failed.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));

select is((select max_story_retries::int from internal.pipeline_settings), 3, 'a story may be retried three times');

select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), false);
select internal.retry_story(tests.id('story'));
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), false);
select internal.retry_story(tests.id('story'));
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), false);
select is(internal.retry_story(tests.id('story')), 1, 'the third retry is accepted');
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), false);

select throws_ok(
  format('select internal.retry_story(%L)', tests.id('story')),
  'TC429', 'this story has been retried 3 times already',
  'the fourth retry is refused with TC429'
);
select results_eq(
  $$select p.status::text, j.status::text, j.retries::int
      from public.story_pages p join public.generation_jobs j on j.id = p.job_id where p.id = tests.id('cover')$$,
  $$values ('failed', 'failed', 3)$$,
  'the refused retry leaves the page and job failed'
);
select is_empty('select 1 from pgmq.q_page_tasks', 'and queues nothing');

select * from finish();
rollback;
