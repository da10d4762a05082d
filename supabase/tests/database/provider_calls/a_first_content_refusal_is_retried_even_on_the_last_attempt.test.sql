-- A first refusal on content grounds is retried once (with a softened prompt) whatever the attempts: even on
-- the page's last attempt, and although the refusal is not retryable as such, the page goes back to queued
-- with its refusal counted and one attempt left, and the same message comes back after the backoff.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
-- Two attempts fail on a passing provider error; the third, the last of max_attempts = 3, is refused.
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select tests.remember('last', tests.claim(tests.id('story'), 0));

select is(
  (select attempts::int from public.story_pages where id = tests.id('cover')),
  (select max_attempts::int from internal.pipeline_settings),
  'the refused attempt is the page''s last'
);
select is(tests.refuse(tests.id('story'), 0, tests.id('last')), 'retrying', 'the pipeline answers retrying');
select results_eq(
  $$select p.status::text, p.attempts::int, p.last_error, r.content_refusals::int, r.lease_token
      from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('cover')$$,
  $$values ('queued', 2, 'content_refused: the content checker refused it', 1, null::uuid)$$,
  'the page is queued again with one attempt left, its refusal counted and its lease released'
);
select results_eq(
  format('select msg_id, vt > now() from pgmq.q_page_tasks where message ->> %L = %L', 'page_id', tests.id('cover')),
  format('values (%s::bigint, true)', :message),
  'the same message stays queued, hidden until the backoff passes'
);
select is_empty('select 1 from pgmq.a_page_tasks', 'nothing is archived');
select results_eq(
  $$select j.status::text, j.error, s.status::text from public.generation_jobs j join public.stories s on s.id = j.story_id
     where s.id = tests.id('story')$$,
  $$values ('processing', null::text, 'processing')$$,
  'the job and story carry on'
);
select results_eq(
  format('select outcome, attempt::int from internal.claim_page(%L, %s)', tests.id('cover'), :message),
  $$values ('claimed', 3)$$,
  'the softened retry can be claimed'
);

select * from finish();
rollback;
