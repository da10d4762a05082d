-- Test helpers: rate limits and jobs held for review, acting as the page-worker does (postgres), through the
-- pipeline's own functions.

-- The provider turns the attempt away with a rate limit (HTTP 429), as the worker reports it: retryable, with
-- the provider's Retry-After in seconds when it sent one. Returns the pipeline's verdict.
create or replace function tests.rate_limit(
  p_story_id uuid,
  p_page_number integer,
  p_lease_token uuid,
  p_retry_after_seconds integer default null
)
returns text
language sql
set search_path = ''
as $$
  select tests.fail_attempt(p_story_id, p_page_number, p_lease_token, true, 'rate_limited',
                            'the image provider answered 429', p_retry_after_seconds)
$$;

-- Claims a page and fails the attempt for good (not retryable): the page ends failed, or this fails loudly.
create or replace function tests.fail_page_for_good(p_story_id uuid, p_page_number integer)
returns void
language plpgsql
set search_path = ''
as $$
declare
  outcome text;
begin
  outcome := tests.fail_attempt(p_story_id, p_page_number, tests.claim(p_story_id, p_page_number), false);
  if outcome is distinct from 'failed' then
    raise exception 'page % of story % was %, not failed', p_page_number, p_story_id, outcome;
  end if;
end;
$$;

-- Whether a page's newest task comes back after that many seconds counted from the moment it was set within
-- this transaction: its visibility timeout lies between now() + delay and clock_timestamp() + delay.
create or replace function tests.task_visible_after(p_page_id uuid, p_seconds integer)
returns boolean
language sql
set search_path = ''
as $$
  select vt between now() + pg_catalog.make_interval(secs => p_seconds)
                and pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => p_seconds)
    from pgmq.q_page_tasks
   where msg_id = tests.message_id(p_page_id)
$$;

revoke all on function tests.rate_limit(uuid, integer, uuid, integer), tests.fail_page_for_good(uuid, integer),
  tests.task_visible_after(uuid, integer)
  from public;
