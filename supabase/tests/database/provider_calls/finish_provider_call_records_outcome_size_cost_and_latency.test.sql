-- Closing a provider call records its outcome, the image's size, what it cost, the provider's inference time
-- and our latency (submission to now, never negative), and ends its finishing time.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-cover'));
select outcome from internal.begin_finishing_call('req-cover');
-- Submitted 90 s before the result is stored.
select tests.backdate_call('req-cover', interval '90 seconds');

select internal.finish_provider_call(tests.id('call'), 'completed', null, 1024, 1536, 0.039, 8250);

select results_eq(
  $$select status::text, error_code, width, height, cost_usd, inference_ms, finished_at, finishing_until
      from internal.provider_calls where id = tests.id('call')$$,
  $$values ('completed', null::text, 1024, 1536, 0.039::numeric, 8250, now(), null::timestamptz)$$,
  'the call is completed with its size, cost and inference time, and no longer finishing'
);
select is(
  (select latency_ms from internal.provider_calls where id = tests.id('call')),
  90000,
  'its latency is the time from submission to now, in milliseconds'
);

-- A call closed in the very transaction that submitted it took no time, and none less.
select tests.remember('second_story', tests.create_preview(tests.id('owner')));
select tests.remember('quick', tests.submit_page(tests.id('second_story'), 0, 'req-quick'));
select internal.finish_provider_call(tests.id('quick'), 'failed', 'content_refused');
select results_eq(
  $$select status::text, error_code, latency_ms >= 0, cost_usd, width from internal.provider_calls
     where id = tests.id('quick')$$,
  $$values ('failed', 'content_refused', true, 0::numeric, null::integer)$$,
  'a failed call records its error code, no cost, no size, and a latency that is not negative'
);
select is(
  (select latency_ms from internal.provider_calls where id = tests.id('quick')),
  0,
  'submitted and closed at the same moment, it took 0 ms'
);

select * from finish();
rollback;
