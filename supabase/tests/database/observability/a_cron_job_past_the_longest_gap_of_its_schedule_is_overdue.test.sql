-- A cron job is overdue when its last run started longer ago than the longest gap its schedule allows plus the
-- grace (60 s): health names it as a reason. An inactive job is never overdue.
begin;
select plan(4);

-- Runs are recorded as the scheduler records them, numbered in order (runid; its sequence is the scheduler's).
-- Every job ran just now, but these three.
insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + row_number() over (order by j.jobid),
       j.database, j.username, j.command, 'succeeded', now() - coalesce(late.ago, '0 s'), now() - coalesce(late.ago, '0 s')
  from cron.job j
  left join (values ('dispatch-page-tasks', interval '63 seconds'),  -- every 2 s: 62 s allowed
                    ('expire-previews', interval '3661 seconds'),    -- hourly: 3660 s allowed
                    ('purge-photos', interval '3659 seconds'))       -- hourly, within its grace
    as late(jobname, ago) on late.jobname = j.jobname;

select results_eq(
  $$select c ->> 'job' from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
     where (c ->> 'overdue')::boolean order by 1$$,
  $$values ('dispatch-page-tasks'), ('expire-previews')$$,
  'the 2-second job silent for 63 s and the hourly job silent for 3661 s are overdue; the one at 3659 s is not'
);
select is(
  internal.health_snapshot() -> 'reasons',
  '[{"code": "cron_job_overdue", "message": "Cron job dispatch-page-tasks (2 seconds) last started 63 s ago."},
    {"code": "cron_job_overdue", "message": "Cron job expire-previews (17 * * * *) last started 3661 s ago."}]'::jsonb,
  'each overdue job is a reason, with its schedule and how long ago it last started'
);
select is(
  (select c -> 'last_run' from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
    where c ->> 'job' = 'expire-previews'),
  jsonb_build_object('status', 'succeeded', 'started_at', now() - interval '3661 seconds',
                     'ended_at', now() - interval '3661 seconds'),
  'the job''s last run is reported with its status, start and end'
);

select cron.alter_job(job_id => (select jobid from cron.job where jobname = 'expire-previews'), active => false);
select is(
  (select (c ->> 'overdue')::boolean from jsonb_array_elements(internal.health_snapshot() -> 'cron') c
    where c ->> 'job' = 'expire-previews'),
  false,
  'a job an operator switched off is not overdue'
);

select * from finish();
rollback;
