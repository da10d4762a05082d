-- Test helpers: queued image provider calls (fal's queue), content refusals and print jobs, acting as the
-- page-worker, the fal webhook and the purchase webhook do (postgres), through the pipeline's own functions.

-- Records the queue submission of a page's attempt under a request id, with the URLs fal's queue answers a
-- submission with. Returns record_provider_submission's answer: whether the lease was current.
create or replace function tests.submit(
  p_story_id uuid,
  p_page_number integer,
  p_lease_token uuid,
  p_request_id text
)
returns boolean
language sql
set search_path = ''
as $$
  select internal.record_provider_submission(
    tests.page_id(p_story_id, p_page_number), p_lease_token,
    tests.message_id(tests.page_id(p_story_id, p_page_number)),
    'generate', 'fal', 'fal-ai/nano-banana-2/edit', '1K', p_request_id,
    'https://queue.fal.run/fal-ai/nano-banana-2/requests/' || p_request_id || '/status',
    'https://queue.fal.run/fal-ai/nano-banana-2/requests/' || p_request_id,
    'https://queue.fal.run/fal-ai/nano-banana-2/requests/' || p_request_id || '/cancel'
  )
$$;

-- Claims a page and submits its attempt under the request id; fails loudly unless the submission is recorded.
-- Returns the call's id.
create or replace function tests.submit_page(p_story_id uuid, p_page_number integer, p_request_id text)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  if not tests.submit(p_story_id, p_page_number, tests.claim(p_story_id, p_page_number), p_request_id) then
    raise exception 'the submission of page % of story % was refused', p_page_number, p_story_id;
  end if;
  return tests.call_id(p_request_id);
end;
$$;

create or replace function tests.call_id(p_request_id text)
returns uuid
language sql
stable
set search_path = ''
as $$
  select id from internal.provider_calls where request_id = p_request_id
$$;

-- Makes a call look submitted that long ago, as if its webhook were late by then.
create or replace function tests.backdate_call(p_request_id text, p_age interval)
returns void
language sql
set search_path = ''
as $$
  update internal.provider_calls set submitted_at = now() - p_age where request_id = p_request_id
$$;

-- The provider's content checker refuses the attempt, as the worker reports it (not retryable as such).
create or replace function tests.refuse(p_story_id uuid, p_page_number integer, p_lease_token uuid)
returns text
language sql
set search_path = ''
as $$
  select tests.fail_attempt(p_story_id, p_page_number, p_lease_token, false, 'content_refused',
                            'the content checker refused it')
$$;

-- Two attempts of a page refused on content grounds: the page ends flagged, or this fails loudly.
create or replace function tests.flag(p_story_id uuid, p_page_number integer)
returns void
language plpgsql
set search_path = ''
as $$
declare
  outcome text;
begin
  perform tests.refuse(p_story_id, p_page_number, tests.claim(p_story_id, p_page_number));
  outcome := tests.refuse(p_story_id, p_page_number, tests.claim(p_story_id, p_page_number));
  if outcome is distinct from 'flagged' then
    raise exception 'page % of story % was %, not flagged', p_page_number, p_story_id, outcome;
  end if;
end;
$$;

create or replace function tests.print_job_id(p_story_id uuid)
returns uuid
language sql
stable
set search_path = ''
as $$
  select id from public.generation_jobs where story_id = p_story_id and kind = 'print'
$$;

revoke all on function tests.submit(uuid, integer, uuid, text), tests.submit_page(uuid, integer, text),
  tests.call_id(text), tests.backdate_call(text, interval), tests.refuse(uuid, integer, uuid),
  tests.flag(uuid, integer), tests.print_job_id(uuid)
  from public;
