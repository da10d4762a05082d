-- The attempt holding a page's lease submits it to the provider's queue: the call is recorded as submitted
-- with its request id, URLs, lease and message, and both the lease and the task's visibility are pushed to
-- provider_abandon_after_seconds + 2 × provider_sweep_after_seconds + 60 s from now (past the latest moment the
-- sweep finds the request overdue), so that no redelivery submits the page twice while the provider works.
begin;
select plan(5);

-- Uncommon values, so that only this sum of the two settings can give the wait (600 + 2 × 60 + 60).
update internal.pipeline_settings set provider_sweep_after_seconds = 60, provider_abandon_after_seconds = 600;

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('lease', tests.claim(tests.id('story'), 0));

select is(tests.submit(tests.id('story'), 0, tests.id('lease'), 'req-cover'), true, 'the submission is recorded');
select results_eq(
  $$select story_id, page_number::int, job_kind::text, stage, provider, model, resolution, status::text,
           lease_token, msg_id, status_url, response_url, cancel_url, submitted_at = now(), finished_at
      from internal.provider_calls where request_id = 'req-cover'$$,
  format(
    $$values (tests.id('story'), 0, 'preview', 'generate', 'fal', 'fal-ai/nano-banana-2/edit', '1K', 'submitted',
              tests.id('lease'), %s::bigint,
              'https://queue.fal.run/fal-ai/nano-banana-2/requests/req-cover/status',
              'https://queue.fal.run/fal-ai/nano-banana-2/requests/req-cover',
              'https://queue.fal.run/fal-ai/nano-banana-2/requests/req-cover/cancel', true, null::timestamptz)$$,
    :message
  ),
  'one submitted call of the cover''s preview job, holding the attempt''s lease, message and the queue''s URLs'
);
select results_eq(
  $$select lease_token, lease_expires_at from internal.page_renders where page_id = tests.id('cover')$$,
  $$values (tests.id('lease'), now() + interval '780 seconds')$$,
  'the page keeps the same lease, now until the sweep has surely given up on the request'
);
select ok(
  (select vt between now() + interval '780 seconds' and clock_timestamp() + interval '780 seconds'
     from pgmq.q_page_tasks where msg_id = :message),
  'the task stays invisible as long, so it is not delivered again meanwhile'
);
select is(
  (select status::text from public.story_pages where id = tests.id('cover')),
  'generating',
  'the page is still generating'
);

select * from finish();
rollback;
