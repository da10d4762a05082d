-- The longest gap a schedule leaves between two runs, for each form pg_cron accepts: the coarsest restricted
-- field decides; @reboot runs on no clock and has none.
begin;
select plan(1);

select results_eq(
  $$select internal.cron_schedule_period(s) from unnest(array[
      '2 seconds', '1 second', '* * * * *', '*/5 * * * *', '17 * * * *', '0,30 * * * *', '23 3 * * *',
      '0 */6 * * *', '0 9-17 * * *', '0 3 * * 1-5', '0 0 1 * *', '0 0 31 * *', '0 0 1 1 *',
      '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@reboot', 'not a schedule'
    ]) with ordinality as t(s, n) order by n$$,
  $$values (interval '2 seconds'), (interval '1 second'), (interval '1 minute'), (interval '5 minutes'),
           (interval '1 hour'), (interval '1 hour'), (interval '1 day'), (interval '6 hours'), (interval '1 day'),
           (interval '7 days'), (interval '62 days'), (interval '62 days'), (interval '366 days'),
           (interval '1 hour'), (interval '1 day'), (interval '7 days'), (interval '31 days'),
           (interval '366 days'), (null::interval), (null::interval)$$,
  'seconds, every minute, steps, lists, hours, days of the week and month, months, shortcuts; none for @reboot'
);

select * from finish();
rollback;
