-- alter_job changes the given attributes of a job and leaves the others alone.
begin;
select plan(5);

create temp table job as select cron.schedule('tunable', '0 * * * *', 'select 1') as jobid;

select lives_ok(
  format(
    'select cron.alter_job(%s, schedule => %L, active => false)', (select jobid from job), '*/5 * * * *'
  ),
  'alter_job runs'
);
select is(
  (select row(schedule, command, active)::text from cron.job where jobid = (select jobid from job)),
  row('*/5 * * * *', 'select 1', false)::text,
  'the given attributes change and the command stays'
);
select throws_ok(
  format('select cron.alter_job(%s, schedule => %L)', (select jobid from job), '61 * * * *'),
  '22023', 'invalid schedule: 61 * * * *',
  'an invalid schedule is refused'
);
select throws_ok(
  format('select cron.alter_job(%s)', (select jobid from job)), 'P0001', 'no updates specified',
  'a call without changes is refused'
);
select throws_ok(
  format('select cron.alter_job(%s, username => %L)', (select jobid from job), 'supabase_admin'),
  'P0001', 'must be superuser to alter username',
  'postgres cannot hand a job to another role'
);

select * from finish();
rollback;
