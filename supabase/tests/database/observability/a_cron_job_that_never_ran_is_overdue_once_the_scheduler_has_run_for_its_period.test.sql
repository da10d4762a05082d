-- A job with no run yet is judged from the scheduler's first recorded run: overdue once its whole period (plus
-- the grace) has passed since then. With no run of any job at all, the scheduler is not running and every
-- active job is overdue.
begin;
select plan(4);

select is(
  (select count(*)::integer from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
    where not (c ->> 'overdue')::boolean),
  0,
  'with no run ever recorded, every job is overdue'
);
select is(
  (select r ->> 'message' from jsonb_array_elements(internal.health_snapshot() -> 'reasons') r
    where r ->> 'message' like '%purge-photos%'),
  'Cron job purge-photos (41 * * * *) has not run yet.',
  'the reason says the job has not run yet'
);

-- The scheduler started ten minutes ago: the 2-second job has run since, the hourly ones not yet. Runs are
-- recorded as the scheduler records them, numbered in order (runid; its sequence is the scheduler's).
insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + row_number() over (order by runs.ago desc),
       j.database, j.username, j.command, 'succeeded', now() - runs.ago, now() - runs.ago
  from cron.job j, (values (interval '10 minutes'), (interval '0 seconds')) as runs(ago)
 where j.jobname = 'dispatch-page-tasks';
select ok(
  (select not (c ->> 'overdue')::boolean from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
    where c ->> 'job' = 'purge-photos'),
  'an hourly job that has not run in the scheduler''s first ten minutes is not overdue'
);

-- Two hours since the scheduler's first recorded run, the hourly job should have run.
update cron.job_run_details set start_time = now() - interval '2 hours', end_time = now() - interval '2 hours'
 where runid = (select min(runid) from cron.job_run_details);
select ok(
  (select (c ->> 'overdue')::boolean from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
    where c ->> 'job' = 'purge-photos'),
  'two hours after the scheduler''s first run, an hourly job that never ran is overdue'
);

select * from finish();
rollback;
