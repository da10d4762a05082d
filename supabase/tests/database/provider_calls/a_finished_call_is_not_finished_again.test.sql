-- A call is closed once: finishing an already completed (or failed, or cancelled) call again, as a late
-- duplicate would, changes none of its outcome, size, cost or times.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-cover'));
select tests.backdate_call('req-cover', interval '90 seconds');
select internal.finish_provider_call(tests.id('call'), 'completed', null, 1024, 1024, 0.039, 8000);

create temporary table closed on commit drop as select * from internal.provider_calls where id = tests.id('call');
-- Time moves on before the duplicate arrives, so a second close would show in finished_at and latency_ms.
update internal.provider_calls set finished_at = finished_at - interval '1 minute',
                                  submitted_at = submitted_at - interval '1 minute'
 where id = tests.id('call');
update closed set finished_at = finished_at - interval '1 minute', submitted_at = submitted_at - interval '1 minute';

select internal.finish_provider_call(tests.id('call'), 'failed', 'timeout', 2048, 2048, 0.5, 1);
select results_eq(
  'select * from internal.provider_calls where id = tests.id(''call'')',
  'select * from closed',
  'a completed call finished again as failed is unchanged'
);

select internal.finish_provider_call(tests.id('call'), 'completed', null, 4096, 4096, 1.0, 2);
select results_eq(
  'select * from internal.provider_calls where id = tests.id(''call'')',
  'select * from closed',
  'a completed call finished again as completed is unchanged'
);

-- A cancelled call (the sweep gave up on it) is closed as well.
select tests.remember('second_story', tests.create_preview(tests.id('owner')));
select tests.remember('cancelled', tests.submit_page(tests.id('second_story'), 0, 'req-cancelled'));
select internal.finish_provider_call(tests.id('cancelled'), 'cancelled', 'timeout');
select internal.finish_provider_call(tests.id('cancelled'), 'completed', null, 1024, 1024, 0.039);
select results_eq(
  $$select status::text, error_code, cost_usd, width from internal.provider_calls where id = tests.id('cancelled')$$,
  $$values ('cancelled', 'timeout', 0::numeric, null::integer)$$,
  'a late result for a cancelled call does not reopen it'
);

select * from finish();
rollback;
