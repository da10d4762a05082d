-- The retention sweep is scheduled hourly: pg_cron posts {"task": "purge_photos"} to the maintenance function
-- with the service key from vault, as the expiry job does.
begin;
select plan(3);

select results_eq(
  $$select schedule, username from cron.job where jobname = 'purge-photos'$$,
  $$values ('41 * * * *', 'postgres')$$,
  'purge-photos runs at minute 41 of every hour, as postgres'
);
select matches(
  (select command from cron.job where jobname = 'purge-photos'),
  '/functions/v1/maintenance.*"task": "purge_photos"',
  'it calls the maintenance function with the purge_photos task'
);
select matches(
  (select command from cron.job where jobname = 'purge-photos'),
  $$internal\.secret\('service_role_key'\)$$,
  'with the service role key from vault'
);

select * from finish();
rollback;
