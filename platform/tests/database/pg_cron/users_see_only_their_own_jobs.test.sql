-- Each user sees and changes only its own jobs, and the same job name may be used by different users.
begin;
select plan(7);

-- Members of authenticated only so that pgTAP, which lives in schema extensions, stays callable.
create role cron_user_a in role authenticated;
create role cron_user_b in role authenticated;
grant cron_user_a, cron_user_b to postgres;
grant usage on schema cron to cron_user_a, cron_user_b;
-- alter_job is not granted to everyone; postgres may pass it on.
grant execute on function cron.alter_job(bigint, text, text, text, text, boolean) to cron_user_a, cron_user_b;

set local role cron_user_a;
select cron.schedule('report', '0 6 * * *', 'select ''a''');
set local role cron_user_b;
select cron.schedule('report', '0 7 * * *', 'select ''b''');
reset role;

create temp table job_of_a as select jobid from cron.job where username = 'cron_user_a';
grant select on job_of_a to public;
-- A run of each job, as the scheduler records them.
insert into cron.job_run_details (jobid, runid, username, status)
select jobid, -row_number() over (), username, 'succeeded' from cron.job where jobname = 'report';

select is(
  (select count(*)::int from cron.job where jobname = 'report'), 2, 'each user has its own job of that name'
);

set local role cron_user_a;
select is(
  (select array_agg(row(username, command)::text) from cron.job),
  array[row('cron_user_a', 'select ''a''')::text],
  'user a sees only its own job'
);
select is(
  (select array_agg(username) from cron.job_run_details), array['cron_user_a'],
  'user a sees only the runs of its own job'
);

set local role cron_user_b;
select is(
  (select array_agg(username) from cron.job), array['cron_user_b'], 'user b sees only its own job'
);
select throws_ok(
  format('select cron.unschedule(%s::bigint)', (select jobid from job_of_a)),
  '42501', 'permission denied for table job',
  'user b cannot unschedule user a''s job by id'
);
select throws_ok(
  format('select cron.alter_job(%s::bigint, active => false)', (select jobid from job_of_a)),
  'P0001', format('Job %s does not exist or you don''t own it', (select jobid from job_of_a)),
  'user b cannot alter user a''s job'
);
select ok(cron.unschedule('report'), 'unscheduling by name removes the caller''s own job');

select * from finish();
rollback;
