-- A call whose finisher began storing the result and died (finishing, its finishing_until passed) is returned
-- to the sweep, which fetches the result again, once (overlapping sweeps do not both ask the provider); one
-- whose finisher still has time is left to it.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select tests.submit_page(tests.id('story'), 1, 'req-finishing');
select tests.backdate_call('req-finishing', interval '10 minutes');
select outcome from internal.begin_finishing_call('req-finishing');
-- Its webhook came at once, but the finisher died.
select tests.submit_page(tests.id('story'), 2, 'req-finisher-died');
select outcome from internal.begin_finishing_call('req-finisher-died');
update internal.provider_calls set finishing_until = now() - interval '1 second'
 where request_id = 'req-finisher-died';

select results_eq(
  'select request_id, overdue from internal.provider_calls_to_check(100)',
  $$values ('req-finisher-died', false)$$,
  'the call whose finisher died is returned, not overdue; the one still being finished is not'
);
select is_empty(
  'select request_id from internal.provider_calls_to_check(100)',
  'a second sweep right after does not ask about it again'
);
select results_eq(
  $$select outcome, call_id from internal.begin_finishing_call('req-finisher-died')$$,
  $$select 'begun', tests.call_id('req-finisher-died')$$,
  'the sweep can then take it over'
);

select * from finish();
rollback;
