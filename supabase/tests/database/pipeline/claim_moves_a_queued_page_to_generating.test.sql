-- Claiming a queued page leases it to one attempt: the page becomes generating with one more attempt, the lease
-- (a fresh token) lasts as long as the message stays hidden, and the job and story start processing.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

create temporary table claim on commit drop as select * from internal.claim_page(tests.id('cover'), :message);

select results_eq(
  'select outcome, lease_token is not null, attempt::int from claim',
  $$values ('claimed', true, 1)$$,
  'the claim succeeds with a lease token for attempt 1'
);
select results_eq(
  $$select status::text, attempts::int, started_at is not null from public.story_pages where id = tests.id('cover')$$,
  $$values ('generating', 1, true)$$,
  'the page is generating, attempted once, with its start time'
);
select results_eq(
  $$select lease_token from internal.page_renders where page_id = tests.id('cover')$$,
  'select lease_token from claim',
  'the page''s lease holds the token handed to the attempt'
);
select results_eq(
  $$select lease_expires_at from internal.page_renders where page_id = tests.id('cover')$$,
  format('select vt from pgmq.q_page_tasks where msg_id = %s', :message),
  'the lease ends when the message becomes visible again'
);
select results_eq(
  $$select status::text, current_step, started_at is not null from public.generation_jobs where story_id = tests.id('story')$$,
  $$values ('processing', 'drawing the cover', true)$$,
  'the job is processing and says it is drawing the cover'
);
select is(
  (select status::text from public.stories where id = tests.id('story')),
  'processing',
  'the story is processing'
);

select * from finish();
rollback;
