-- schedule_in_database schedules in a named database; only a superuser may schedule for another role.
begin;
select plan(3);

select lives_ok(
  format(
    'select cron.schedule_in_database(%L, %L, %L, %L)', 'elsewhere', '@daily', 'select 1', current_database()
  ),
  'postgres schedules a job in a named database'
);
select throws_ok(
  format(
    'select cron.schedule_in_database(%L, %L, %L, %L, %L)',
    'as-admin', '@daily', 'select 1', current_database(), 'supabase_admin'
  ),
  'P0001', 'must be superuser to create a job for another role',
  'postgres cannot schedule a job for another role'
);
select throws_ok(
  $$ select cron.schedule_in_database('nowhere', '@daily', 'select 1', 'no_such_database') $$,
  null, null,
  'a database that does not exist is refused'
);

select * from finish();
rollback;
