-- The backoff of a retryable failure is the base delay doubled per attempt already made, never more than the
-- maximum, unless the provider said when to come back (retry-after): that is honoured beyond the maximum, up to
-- the abandon period. The message's visibility timeout is set from the moment of the failure, so it lies
-- between now() + delay and clock_timestamp() + delay.
begin;
select plan(5);

update internal.pipeline_settings
   set max_attempts = 5, retry_base_seconds = 5, retry_max_seconds = 300, provider_abandon_after_seconds = 1800;
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

create function pg_temp.visible_after(seconds integer)
returns boolean
language sql
set search_path = ''
as $$
  select vt between now() + make_interval(secs => seconds) and clock_timestamp() + make_interval(secs => seconds)
    from pgmq.q_page_tasks
   where message ->> 'page_id' = tests.id('cover')::text
$$;

select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select ok(pg_temp.visible_after(5), 'after the first attempt the message comes back after the base delay (5 s)');

select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select ok(pg_temp.visible_after(10), 'after the second attempt the delay doubles (10 s)');

select internal.fail_page_attempt(
  tests.id('cover'), tests.claim(tests.id('story'), 0), :message, 'rate_limited', 'slow down', true, 42
);
select ok(pg_temp.visible_after(42), 'a retry-after from the provider is honoured (42 s)');

-- The rate-limited attempt was given back: the next two are the third and fourth.
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select tests.fail_attempt(tests.id('story'), 0, tests.claim(tests.id('story'), 0), true);
select ok(pg_temp.visible_after(40), 'the doubling goes on (40 s after the fourth attempt)');

select internal.fail_page_attempt(
  tests.id('cover'), tests.claim(tests.id('story'), 0), :message, 'rate_limited', 'slow down', true, 3600
);
select ok(pg_temp.visible_after(1800), 'a provider''s retry-after beyond the maximum is honoured up to the abandon period');

select * from finish();
rollback;
