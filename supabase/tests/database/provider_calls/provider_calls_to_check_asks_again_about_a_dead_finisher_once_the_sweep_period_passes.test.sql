-- A call whose finisher died (finishing, its finishing_until passed) and that a sweep has already asked about
-- since is not left alone for good: it is offered again once provider_sweep_after_seconds have passed since
-- that check, and not before.
begin;
select plan(4);

-- An uncommon period, so that only this setting can decide when the call is offered again.
update internal.pipeline_settings set provider_sweep_after_seconds = 90;

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-finisher-died'));
select outcome from internal.begin_finishing_call('req-finisher-died');
-- Its finisher's time ran out ten minutes ago.
update internal.provider_calls set finishing_until = now() - interval '10 minutes' where id = tests.id('call');

select results_eq(
  'select request_id from internal.provider_calls_to_check(100)',
  $$values ('req-finisher-died')$$,
  'a sweep asks about the call whose finisher died'
);

-- That sweep's check was 89 s ago.
update internal.provider_calls set last_checked_at = now() - interval '89 seconds' where id = tests.id('call');
select is_empty(
  'select 1 from internal.provider_calls_to_check(100)',
  'within provider_sweep_after_seconds of that check it is not asked about again'
);

-- That sweep's check was 91 s ago.
update internal.provider_calls set last_checked_at = now() - interval '91 seconds' where id = tests.id('call');
select results_eq(
  'select call_id, request_id, overdue from internal.provider_calls_to_check(100)',
  $$select tests.id('call'), 'req-finisher-died', false$$,
  'once provider_sweep_after_seconds have passed since that check it is offered again'
);
select results_eq(
  $$select status::text, last_checked_at from internal.provider_calls where id = tests.id('call')$$,
  $$values ('finishing', now())$$,
  'marked checked now, still finishing'
);

select * from finish();
rollback;
