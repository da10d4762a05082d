-- A job whose last run failed is a reason; pg_cron keeps the run's error, which health never shows (it may hold
-- data). An earlier failure followed by a success is no reason.
begin;
select plan(3);

-- Runs are recorded as the scheduler records them, numbered in order (runid; its sequence is the scheduler's).
-- purge-books failed an hour ago; then every job ran and succeeded.
insert into cron.job_run_details (jobid, runid, database, username, command, status, return_message, start_time,
                                  end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + 1, j.database, j.username, j.command,
       'failed', 'ERROR: no book for buyer@example.com', now() - interval '1 hour', now() - interval '1 hour'
  from cron.job j where j.jobname = 'purge-books';
insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + row_number() over (order by j.jobid),
       j.database, j.username, j.command, 'succeeded', now(), now()
  from cron.job j;

select is(internal.health_snapshot() -> 'reasons', '[]'::jsonb, 'a failure followed by a success is no reason');

insert into cron.job_run_details (jobid, runid, database, username, command, status, return_message, start_time,
                                  end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + 1, j.database, j.username, j.command,
       'failed', 'ERROR: no book for buyer@example.com', now(), now()
  from cron.job j where j.jobname = 'purge-books';
select is(
  internal.health_snapshot() -> 'reasons',
  '[{"code": "cron_job_failed", "message": "Cron job purge-books failed on its last run."}]'::jsonb,
  'a job whose last run failed is a reason'
);
select ok(
  internal.health_snapshot()::text not like '%buyer@example.com%'
    and internal.health_snapshot()::text not like '%ERROR%',
  'the run''s error message is never shown'
);

select * from finish();
rollback;
