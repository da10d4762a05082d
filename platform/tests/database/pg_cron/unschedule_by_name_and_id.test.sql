-- Jobs are removed by name or by id; removing a job that does not exist is an error.
begin;
select plan(6);

create temp table named as select cron.schedule('by-name', '* * * * *', 'select 1') as jobid;
create temp table unnamed as select cron.schedule('* * * * *', 'select 2') as jobid;

select ok(cron.unschedule('by-name'), 'unscheduling by name returns true');
select is_empty(
  $$ select * from cron.job where jobid = (select jobid from named) $$, 'the named job is gone'
);
select ok(cron.unschedule((select jobid from unnamed)), 'unscheduling by id returns true');
select is_empty($$ select * from cron.job where jobid = (select jobid from unnamed) $$, 'the job is gone');
select throws_ok(
  $$ select cron.unschedule('by-name') $$, 'P0001', 'could not find valid entry for job ''by-name''',
  'an unknown name is an error'
);
select throws_ok(
  format('select cron.unschedule(%s::bigint)', (select jobid from unnamed)),
  'P0001', format('could not find valid entry for job %s', (select jobid from unnamed)),
  'an unknown id is an error'
);

select * from finish();
rollback;
