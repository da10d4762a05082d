-- Every change to cron.job fires a statement-level trigger that notifies the scheduler on cron_job_changed.
begin;
select plan(3);

select trigger_is('cron', 'job', 'cron_job_cache_invalidate', 'cron', 'job_cache_invalidate',
  'cron.job has the cache invalidation trigger');
-- 60 = after, for each statement, on insert (4) + delete (8) + update (16) + truncate (32).
select is(
  (select tgtype::int from pg_trigger where tgname = 'cron_job_cache_invalidate'), 60,
  'it fires after every insert, update, delete and truncate, once per statement'
);
select ok(
  (select prosrc ~ 'pg_notify\(''cron_job_changed'''
   from pg_proc where oid = 'cron.job_cache_invalidate'::regproc),
  'it notifies the cron_job_changed channel'
);

select * from finish();
rollback;
