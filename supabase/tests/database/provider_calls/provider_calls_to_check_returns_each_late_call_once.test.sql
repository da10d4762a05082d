-- The sweep asks the provider about submitted calls whose webhook is late: submitted more than
-- provider_sweep_after_seconds ago and not asked about within that time. Fresh, recently checked and closed
-- calls are left out. Each call returned is marked checked in the same statement, so an immediate second call
-- (an overlapping sweep) returns none of them.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select tests.submit_page(tests.id('story'), 1, 'req-fresh');
select tests.submit_page(tests.id('story'), 2, 'req-late');
select tests.backdate_call('req-late', interval '301 seconds');
select tests.submit_page(tests.id('story'), 3, 'req-checked-recently');
select tests.backdate_call('req-checked-recently', interval '10 minutes');
update internal.provider_calls set last_checked_at = now() - interval '299 seconds'
 where request_id = 'req-checked-recently';
select tests.submit_page(tests.id('story'), 4, 'req-checked-long-ago');
select tests.backdate_call('req-checked-long-ago', interval '10 minutes');
update internal.provider_calls set last_checked_at = now() - interval '301 seconds'
 where request_id = 'req-checked-long-ago';
select tests.submit_page(tests.id('story'), 5, 'req-completed');
select tests.backdate_call('req-completed', interval '10 minutes');
select internal.finish_provider_call(tests.call_id('req-completed'), 'completed', null, 1024, 1024, 0.039);

create temporary table first_check on commit drop as select * from internal.provider_calls_to_check(100);

select results_eq(
  'select request_id, overdue from first_check order by request_id',
  $$values ('req-checked-long-ago', false), ('req-late', false)$$,
  'the late calls not asked about lately are returned, neither of them overdue'
);
select results_eq(
  $$select call_id, status_url, response_url, cancel_url from first_check where request_id = 'req-late'$$,
  $$select tests.call_id('req-late'), 'https://queue.fal.run/fal-ai/nano-banana-2/requests/req-late/status',
           'https://queue.fal.run/fal-ai/nano-banana-2/requests/req-late',
           'https://queue.fal.run/fal-ai/nano-banana-2/requests/req-late/cancel'$$,
  'with the call''s id and the URLs to ask, fetch and cancel it with'
);
select results_eq(
  $$select request_id, last_checked_at is not distinct from now() from internal.provider_calls order by request_id$$,
  $$values ('req-checked-long-ago', true), ('req-checked-recently', false), ('req-completed', false),
           ('req-fresh', false), ('req-late', true)$$,
  'only the calls returned are marked checked now'
);
select is_empty(
  'select * from internal.provider_calls_to_check(100)',
  'an immediate second call returns none of them'
);
select results_eq(
  $$select status::text, count(*)::int from internal.provider_calls group by status order by status::text$$,
  $$values ('completed', 1), ('submitted', 4)$$,
  'asking about calls changes none of their statuses'
);

select * from finish();
rollback;
