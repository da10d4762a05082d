-- A non-retryable failure moves the page from generating to failed at once, even with attempts left: the
-- message is archived for the operator, and the job and story fail with a message the parent can act on.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

select is(
  tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), false),
  'failed',
  'the pipeline answers failed'
);
select results_eq(
  $$select status::text, attempts::int, last_error from public.story_pages where id = tests.id('cover')$$,
  $$values ('failed', 1, 'provider_error: the image provider answered 503')$$,
  'the page failed after its single attempt, with the error'
);
select results_eq(
  $$select lease_token, lease_expires_at from internal.page_renders where page_id = tests.id('cover')$$,
  $$values (null::uuid, null::timestamptz)$$,
  'the lease is released'
);
select is_empty(format('select 1 from pgmq.q_page_tasks where msg_id = %s', :message), 'the message left the queue');
select results_eq(
  'select msg_id, message from pgmq.a_page_tasks',
  format($$values (%s::bigint, jsonb_build_object('page_id', %L::uuid))$$, :message, tests.id('cover')),
  'and was archived'
);
select results_eq(
  $$select j.status::text, j.current_step, j.error, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('failed', 'failed', 'We could not draw the cover. Please press retry.', 'failed')$$,
  'the job and story fail, telling the parent what to do'
);

select * from finish();
rollback;
