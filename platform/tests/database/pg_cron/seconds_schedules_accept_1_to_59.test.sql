-- Sub-minute schedules are '[1-59] seconds', as in pg_cron 1.5+; 0 and 60 seconds are refused.
begin;
select plan(4);

select lives_ok(
  $$ select cron.schedule('process-embeddings', '10 seconds', 'select 1') $$, '''10 seconds'' is accepted'
);
select is(
  (select schedule from cron.job where jobname = 'process-embeddings'), '10 seconds',
  'the schedule is stored as given'
);
select throws_ok(
  $$ select cron.schedule('too-slow', '60 seconds', 'select 1') $$,
  '22023', 'invalid schedule: 60 seconds',
  '''60 seconds'' is refused'
);
select throws_ok(
  $$ select cron.schedule('too-fast', '0 seconds', 'select 1') $$,
  '22023', 'invalid schedule: 0 seconds',
  '''0 seconds'' is refused'
);

select * from finish();
rollback;
