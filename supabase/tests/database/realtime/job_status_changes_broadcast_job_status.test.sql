-- Every change of a job's status is broadcast privately on story:<id> as a job_status event carrying the job
-- id, status, progress and the message shown to the parent.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('job', tests.job_id(tests.id('story')));
select tests.remember('failing', tests.create_preview(tests.id('owner')));
select tests.remember('failing_job', tests.job_id(tests.id('failing')));

create temporary view job_events as
  select topic, payload - 'id' as payload, private
    from realtime.messages
   where event = 'job_status';

select is_empty('select * from job_events', 'creating a preview broadcasts no job status (the job starts queued)');

select tests.draw_page(tests.id('story'), 0);
select results_eq(
  $$select topic, payload, private from job_events where payload ->> 'job_id' = tests.id('job')::text$$,
  $$values ('story:' || tests.id('story'),
            jsonb_build_object('job_id', tests.id('job'), 'status', 'processing', 'progress', 0, 'error', null), true)$$,
  'claiming the first page broadcasts processing, once'
);

select tests.draw_page(tests.id('story'), n) from generate_series(1, 5) as n;
select results_eq(
  $$select payload from job_events where payload ->> 'job_id' = tests.id('job')::text and payload ->> 'status' = 'completed'$$,
  $$values (jsonb_build_object('job_id', tests.id('job'), 'status', 'completed', 'progress', 100, 'error', null))$$,
  'the last page broadcasts completed at 100%'
);

select tests.fail_attempt(tests.id('failing'), 0, tests.claim(tests.id('failing'), 0), false);
select results_eq(
  $$select topic, payload from job_events where payload ->> 'job_id' = tests.id('failing_job')::text and payload ->> 'status' = 'failed'$$,
  $$values ('story:' || tests.id('failing'),
            jsonb_build_object('job_id', tests.id('failing_job'), 'status', 'failed', 'progress', 0,
                               'error', 'We could not draw the cover. Please press retry.'))$$,
  'a failed job broadcasts failed with the message shown to the parent'
);

select * from finish();
rollback;
