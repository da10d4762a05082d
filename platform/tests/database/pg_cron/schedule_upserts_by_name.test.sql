-- Scheduling a name the user already uses updates that job instead of adding one, so migrations can re-run.
begin;
select plan(5);

create temp table first_job as select cron.schedule('nightly-cleanup', '0 3 * * *', 'select 1') as jobid;
create temp table second_job as
  select cron.schedule('nightly-cleanup', '30 4 * * *', 'select 2') as jobid;

select is((select jobid from second_job), (select jobid from first_job), 'the same job id is returned');
select is(
  (select count(*)::int from cron.job where jobname = 'nightly-cleanup'), 1, 'there is still one job'
);
select is(
  (select row(schedule, command)::text from cron.job where jobname = 'nightly-cleanup'),
  row('30 4 * * *', 'select 2')::text,
  'its schedule and command are updated'
);
select is(
  (select row(username, database, active, nodename)::text from cron.job where jobname = 'nightly-cleanup'),
  row('postgres', current_database(), true, 'localhost')::text,
  'the job belongs to the caller and runs in this database'
);
select isnt(
  cron.schedule('0 3 * * *', 'select 3'), (select jobid from first_job),
  'an unnamed schedule always adds a job'
);

select * from finish();
rollback;
