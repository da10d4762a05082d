-- With every job run on time and every queue's oldest message within its limit, health has no reason to be
-- degraded, and reports each job's last run.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
-- A cover just queued: a fresh page task.
select tests.create_preview(tests.id('parent'));
-- Runs are recorded as the scheduler records them, numbered in order (runid; its sequence is the scheduler's).
insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + row_number() over (order by j.jobid),
       j.database, j.username, j.command, 'succeeded', now() - interval '5 seconds', now()
  from cron.job j;

select is(internal.health_snapshot() -> 'reasons', '[]'::jsonb, 'no reason to be degraded');
select is(
  (select count(*)::integer from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
    where not (c ->> 'overdue')::boolean and c -> 'last_run' ->> 'status' = 'succeeded'),
  (select count(*)::integer from cron.job),
  'every scheduled job is reported on time, with its last run'
);
select is(
  (select (q ->> 'depth')::integer from jsonb_array_elements(internal.health_snapshot() -> 'queues') q
    where q ->> 'name' = 'page_tasks'),
  1,
  'the cover''s task is in the page queue'
);

select * from finish();
rollback;
