-- Invalid schedules raise pg_cron's error (invalid_parameter_value, 'invalid schedule: <text>') and schedule
-- nothing.
begin;
select plan(5);

select throws_ok(
  $$ select cron.schedule('garbage', 'every day', 'select 1') $$,
  '22023', 'invalid schedule: every day',
  'text that is no schedule is refused'
);
select throws_ok(
  $$ select cron.schedule('four-fields', '* * * *', 'select 1') $$,
  '22023', 'invalid schedule: * * * *',
  'a schedule with four fields is refused'
);
select throws_ok(
  $$ select cron.schedule('0 25 * * *', 'select 1') $$,
  '22023', 'invalid schedule: 0 25 * * *',
  'an hour out of range is refused by the unnamed form too'
);
select throws_ok(
  $$ select cron.schedule('no-command', '* * * * *', null) $$,
  'P0001', 'command can not be NULL',
  'a missing command is refused'
);
select is_empty(
  $$ select * from cron.job
     where jobname in ('garbage', 'four-fields', 'no-command') or schedule = '0 25 * * *' $$,
  'nothing was scheduled'
);

select * from finish();
rollback;
