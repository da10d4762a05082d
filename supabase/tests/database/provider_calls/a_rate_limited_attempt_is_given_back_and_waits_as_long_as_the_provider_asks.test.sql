-- A rate-limited attempt never reached the model, so it does not use up the page's attempts: after the claim
-- and the failure the page has as many attempts as before, and it is retried even when the attempt was its
-- last. Without a Retry-After it waits the ordinary backoff; the provider's Retry-After is honoured beyond
-- retry_max_seconds, up to provider_abandon_after_seconds. The message's visibility timeout is set from the
-- moment of the failure, so it lies between now() + delay and clock_timestamp() + delay.
begin;
select plan(10);

update internal.pipeline_settings
   set max_attempts = 3, retry_base_seconds = 5, retry_max_seconds = 300, provider_abandon_after_seconds = 1800;
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));

select is(tests.rate_limit(tests.id('story'), 0, tests.claim(tests.id('story'), 0)), 'retrying',
  'a rate-limited first attempt is retried');
select results_eq(
  $$select status::text, attempts::int, last_error from public.story_pages where id = tests.id('cover')$$,
  $$values ('queued', 0, 'rate_limited: the image provider answered 429')$$,
  'the page is queued again with its attempt given back'
);
select ok(tests.task_visible_after(tests.id('cover'), 5),
  'without a Retry-After it comes back after the ordinary backoff (5 s)');

-- Two attempts fail on a passing provider error; the third is the page's last.
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select tests.remember('last', tests.claim(tests.id('story'), 0));
select is(
  (select attempts::int from public.story_pages where id = tests.id('cover')),
  3,
  'the rate-limited attempt is the page''s last'
);

select is(tests.rate_limit(tests.id('story'), 0, tests.id('last'), 900), 'retrying',
  'it is retried all the same, not failed');
select results_eq(
  $$select status::text, attempts::int from public.story_pages where id = tests.id('cover')$$,
  $$values ('queued', 2)$$,
  'with its last attempt given back'
);
select ok(tests.task_visible_after(tests.id('cover'), 900),
  'the provider''s Retry-After beyond retry_max_seconds is honoured (900 s)');

select is(tests.rate_limit(tests.id('story'), 0, tests.claim(tests.id('story'), 0), 3600), 'retrying',
  'a Retry-After beyond the abandon period is retried too');
select ok(tests.task_visible_after(tests.id('cover'), 1800),
  'and waits provider_abandon_after_seconds (1800 s), no longer');
select results_eq(
  format('select outcome, attempt::int from internal.claim_page(%L, %s)',
         tests.id('cover'), tests.message_id(tests.id('cover'))),
  $$values ('claimed', 3)$$,
  'the page can still be claimed for its last attempt'
);

select * from finish();
rollback;
