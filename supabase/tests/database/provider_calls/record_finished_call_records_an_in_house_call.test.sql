-- A synchronous call (the in-house illustrator) is recorded completed as it is made: the page, its number and
-- job kind, the model, size, cost and latency, submitted that long before now. It has no request, so the
-- sweep never asks about it, and it shows in the latency report.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select internal.record_finished_call(tests.page_id(tests.id('story'), 0), 'generate', 'illustrator',
  'storybook-v1', null, 1500, 1024, 1536, 0);

select results_eq(
  $$select story_id, page_id, page_number::int, job_kind::text, stage, provider, model, resolution, status::text,
           submitted_at, finished_at, latency_ms, width, height, cost_usd, request_id, lease_token
      from internal.provider_calls$$,
  $$select tests.id('story'), tests.page_id(tests.id('story'), 0), 0, 'preview', 'generate', 'illustrator',
           'storybook-v1', null::text, 'completed', now() - interval '1.5 seconds', now(), 1500, 1024, 1536,
           0::numeric, null::text, null::uuid$$,
  'one completed call of the cover''s preview job, made 1.5 s ago, with its size and no cost'
);
select is_empty('select * from internal.provider_calls_to_check(100)', 'the sweep never asks about it');
select results_eq(
  $$select provider, model, stage, job_kind::text, calls, p50_ms, p95_ms from internal.provider_latency$$,
  $$values ('illustrator', 'storybook-v1', 'generate', 'preview', 1::bigint, 1500, 1500)$$,
  'it shows in the latency report'
);

select * from finish();
rollback;
