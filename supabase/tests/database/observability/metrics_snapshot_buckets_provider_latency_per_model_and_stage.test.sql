-- Provider latency (submission to answer) of every completed call, per model and stage: how many calls fell in
-- each bucket of the given upper bounds in seconds (a bound includes its own value) and past the last one, their
-- total in seconds. Failed calls are counted apart, by error code.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.draw_preview(tests.id('story'));

-- fal drew four pages: 0.4 s, exactly 1 s, 1.001 s and 45 s; the illustrator one in 1.5 s.
select internal.record_finished_call(tests.page_id(tests.id('story'), n), 'generate', 'fal',
  'fal-ai/nano-banana-2/edit', '1K', ms, 1024, 1024, 0.039)
  from (values (0, 400), (1, 1000), (2, 1001), (3, 45000)) as calls(n, ms);
select internal.record_finished_call(tests.page_id(tests.id('story'), 4), 'generate', 'illustrator',
  'storybook-v1', null, 1500, 1024, 1024, 0);
-- Two calls that failed: they have no latency to count, only a code.
select tests.remember('second', tests.create_preview(tests.id('parent')));
select internal.finish_provider_call(tests.submit_page(tests.id('second'), 0, 'req-refused'), 'failed',
  'content_refused');
select tests.remember('third', tests.create_preview(tests.id('parent')));
select internal.finish_provider_call(tests.submit_page(tests.id('third'), 0, 'req-lost'), 'cancelled');

select results_eq(
  $$select l ->> 'model', l ->> 'stage', l -> 'bucket_counts', (l ->> 'sum_seconds')::numeric
      from jsonb_array_elements(internal.metrics_snapshot('{0.5, 1, 5, 30}', '{1}') -> 'provider_latency') l$$,
  $$values ('fal-ai/nano-banana-2/edit', 'generate', '[1, 1, 1, 0, 1]'::jsonb, 47.401),
           ('storybook-v1', 'generate', '[0, 0, 1, 0, 0]'::jsonb, 1.5)$$,
  'one series per model and stage: calls per bucket (≤ 0.5, ≤ 1, ≤ 5, ≤ 30, beyond) and their total seconds'
);
select is(
  internal.metrics_snapshot('{0.5, 1, 5, 30}', '{1}') -> 'provider_failures',
  '[{"model": "fal-ai/nano-banana-2/edit", "stage": "generate", "code": "cancelled", "count": 1},
    {"model": "fal-ai/nano-banana-2/edit", "stage": "generate", "code": "content_refused", "count": 1}]',
  'failed calls by their error code, a cancelled call as cancelled'
);
select is(
  internal.metrics_snapshot('{}', '{1}') -> 'provider_latency' -> 0 -> 'bucket_counts',
  '[4]',
  'with no bounds, every call is in the one overflow bucket'
);

select * from finish();
rollback;
