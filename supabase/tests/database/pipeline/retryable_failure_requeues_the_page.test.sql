-- A retryable failure with attempts left sends the page back from generating to queued: the error is kept, the
-- lease released, and the same message hidden for the backoff so the dispatcher hands it out again later. The
-- job and story carry on.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

select is(
  tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true),
  'retrying',
  'the pipeline answers retrying'
);
select results_eq(
  $$select status::text, attempts::int, last_error from public.story_pages where id = tests.id('cover')$$,
  $$values ('queued', 1, 'provider_error: the image provider answered 503')$$,
  'the page is queued again, its attempt counted and its error kept'
);
select results_eq(
  $$select lease_token, lease_expires_at from internal.page_renders where page_id = tests.id('cover')$$,
  $$values (null::uuid, null::timestamptz)$$,
  'the lease is released'
);
select results_eq(
  format('select msg_id, vt > now() from pgmq.q_page_tasks where message ->> %L = %L', 'page_id', tests.id('cover')),
  format('values (%s::bigint, true)', :message),
  'the same message stays queued, hidden until the backoff passes'
);
select is_empty('select 1 from pgmq.a_page_tasks', 'nothing is archived');
select results_eq(
  $$select j.status::text, s.status::text, j.error from public.generation_jobs j join public.stories s on s.id = j.story_id
     where s.id = tests.id('story')$$,
  $$values ('processing', 'processing', null::text)$$,
  'the job and story carry on'
);

select * from finish();
rollback;
