-- As on Supabase: postgres uses the cron schema and its functions and reads cron.job, but writes jobs only
-- through the functions; the API roles cannot reach cron at all.
begin;
select plan(6);

set local role postgres;

select ok(has_schema_privilege('postgres', 'cron', 'usage'), 'postgres may use the cron schema');
select lives_ok($$ select * from cron.job $$, 'postgres reads cron.job');
select throws_ok(
  $$ insert into cron.job (schedule, command) values ('* * * * *', 'select 1') $$, '42501', null,
  'postgres cannot insert into cron.job directly'
);
select throws_ok(
  $$ update cron.job set command = 'select 1' $$, '42501', null, 'postgres cannot update cron.job directly'
);
select lives_ok($$ delete from cron.job_run_details where false $$, 'postgres may clear run history');
select ok(
  not has_schema_privilege('anon', 'cron', 'usage')
    and not has_schema_privilege('authenticated', 'cron', 'usage'),
  'anon and authenticated cannot use the cron schema'
);

select * from finish();
rollback;
