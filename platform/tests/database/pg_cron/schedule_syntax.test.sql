-- The schedule syntax accepted here is pg_cron's. platform/server/cron/cron_schedule_test.ts checks the same
-- lists against the scheduler's parser, so both sides accept exactly the same schedules.
begin;
select plan(2);

select is(
  (select array_agg(quote_literal(schedule)) from unnest(array[
    '* * * * *',
    '0 10 * * *',
    '*/5 * * * *',
    '0-30/10 8-18 * * mon-fri',
    '5,10,15 0 1,15 * *',
    '0 0 $ * *',
    '0 0 * jan,JUL *',
    '0 0 * Jan-Mar/2 *',
    '0 12 * * 7',
    '0 12 * * sun,Sat',
    '00 05 01 01 00',
    '  0 0 * * *  ',
    E'0\t0 * * *',
    '1 seconds',
    '59 seconds',
    '1 second',
    '10 SECONDS',
    '10seconds',
    ' 30 seconds ',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@reboot',
    '@restart'
  ]) as schedule where not cron._schedule_is_valid(schedule)),
  null,
  'every schedule pg_cron accepts is accepted'
);

select is(
  (select array_agg(quote_literal(schedule)) from unnest(array[
    '',
    'garbage',
    '* * * *',
    '60 seconds',
    '0 seconds',
    '10 secondc',
    '10 seconds please',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * 32 * *',
    '* * * 0 *',
    '* * * 13 *',
    '* * * * 8',
    '5/10 * * * *',
    '*/0 * * * *',
    '1,,2 * * * *',
    'mon * * * *',
    '* * * monday *',
    '$ * * * *',
    '0 0 1,$ * *',
    '@Daily',
    '@weekday',
    -- Stricter than pg_cron on purpose (see cron_schedule_test.ts).
    '* * * * * *',
    '@daily now',
    '50-10 * * * *'
  ]) as schedule where cron._schedule_is_valid(schedule)),
  null,
  'every schedule pg_cron refuses is refused'
);

select * from finish();
rollback;
