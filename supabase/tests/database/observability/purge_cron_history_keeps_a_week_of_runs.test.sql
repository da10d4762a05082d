-- pg_cron never cleans its run history, which grows by a row per run (50,000 a day with the 2- and 10-second
-- dispatchers) and which health reads: purge-cron-history trims it daily to cron_history_days (7), as postgres,
-- the owner of the project's jobs.
begin;
select plan(4);

select results_eq(
  $$select schedule, username from cron.job where jobname = 'purge-cron-history'$$,
  $$values ('37 4 * * *', 'postgres')$$,
  'purge-cron-history runs daily at 04:37, as postgres'
);

-- Runs recorded as the scheduler records them, numbered in order (runid; its sequence is the scheduler's).
insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
select j.jobid, (select coalesce(max(d.runid), 0) from cron.job_run_details d) + row_number() over (order by age),
       j.database, j.username, j.command, 'succeeded', now() - age, now() - age
  from cron.job j, unnest(array[interval '8 days', interval '7 days 1 minute', interval '6 days 23 hours',
                                interval '1 hour']) as age
 where j.jobname = 'purge-photos';

-- What the scheduler runs.
do $$ begin execute (select command from cron.job where jobname = 'purge-cron-history'); end $$;
select results_eq(
  $$select now() - start_time from cron.job_run_details order by start_time$$,
  $$values (interval '6 days 23 hours'), (interval '1 hour')$$,
  'runs older than seven days are deleted, the last week''s kept'
);

update internal.health_settings set cron_history_days = 30;
insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
select j.jobid, (select max(d.runid) + 1 from cron.job_run_details d), j.database, j.username, j.command,
       'succeeded', now() - interval '20 days', now() - interval '20 days'
  from cron.job j where j.jobname = 'purge-photos';
do $$ begin execute (select command from cron.job where jobname = 'purge-cron-history'); end $$;
select is(
  (select count(*)::integer from cron.job_run_details), 3, 'an operator who keeps 30 days keeps a 20-day-old run'
);

select throws_ok(
  'update internal.health_settings set cron_history_days = 1', '23514', null,
  'the history must outlast a day, the longest schedule, or health would lose the daily job''s last run'
);

select * from finish();
rollback;
