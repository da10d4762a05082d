-- Image provider calls: what a remote image model is asked, what it costs, how long it takes, and how a page
-- waits for an asynchronous answer (fal's queue with a webhook). Also the print job of a bought book.
--
--   page-worker: claim_page → submit to the provider's queue → record_provider_submission (the page keeps its
--                lease and its task stays invisible while the provider works)
--   fal-webhook or the sweep: begin_finishing_call (one finisher per request) → store the image
--                → complete_page + finish_provider_call in one transaction
--                → or fail_page_attempt + finish_provider_call (retry policy), flagged after two refusals
--   maintenance {task: sweep_provider_calls} (pg_cron, every minute): asks the provider about requests whose
--                webhook is late, and finishes them through the same path
--
-- internal.provider_calls also records the in-house illustrator's calls (synchronous, cost 0), so latency and
-- cost reports cover every page whatever drew it.

-- ---------------------------------------------------------------------------------------------------------
-- Calling an edge function from SQL (cron jobs, dispatchers), as the page dispatcher does
-- ---------------------------------------------------------------------------------------------------------
create function internal.call_function(p_function text, p_body jsonb, p_timeout_ms integer)
returns bigint
language sql
set search_path = ''
as $$
  -- Sent by pg_net after commit, with the project URL and the service role key from vault.
  select net.http_post(
    url => internal.secret('project_url') || '/functions/v1/' || p_function,
    body => p_body,
    headers => jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || internal.secret('service_role_key')
    ),
    timeout_milliseconds => p_timeout_ms
  );
$$;
comment on function internal.call_function(text, jsonb, integer) is 'POSTs a JSON body to one of the project''s edge functions with the service role key; returns pg_net''s request id.';

-- ---------------------------------------------------------------------------------------------------------
-- Settings
-- ---------------------------------------------------------------------------------------------------------
alter table internal.pipeline_settings
  -- A request whose webhook has not come this long after submission is asked about by the sweep.
  add column provider_sweep_after_seconds integer not null default 300
    constraint provider_sweep_after_positive check (provider_sweep_after_seconds > 0),
  -- A request still unanswered this long after submission is cancelled and its page retried.
  add column provider_abandon_after_seconds integer not null default 1800
    constraint provider_abandon_after_positive check (provider_abandon_after_seconds > 0),
  -- How long a webhook delivery (or the sweep) may take to store a result before another may take over.
  add column provider_finish_seconds integer not null default 120
    constraint provider_finish_positive check (provider_finish_seconds > 0);

-- ---------------------------------------------------------------------------------------------------------
-- Pages: content refusals, print renders, flagged pages
-- ---------------------------------------------------------------------------------------------------------
alter table internal.page_renders
  -- Refusals on content grounds: the first is retried with a softened prompt, the second flags the page.
  add column content_refusals smallint not null default 0,
  -- The print-resolution image of a bought book's page (pages bucket), and its size in pixels.
  add column print_path text,
  add column print_width integer,
  add column print_height integer;

-- A locked page (6–10) of a bought book may be drawn straight at print resolution, which is never decoded to
-- make a watermarked preview: it is done with its print image only. Unlocked pages still need their preview.
alter table public.story_pages drop constraint done_page_has_preview;
alter table public.story_pages
  add constraint done_page_has_preview check (status <> 'done' or preview_path is not null or is_locked);

-- ---------------------------------------------------------------------------------------------------------
-- internal.provider_calls
-- ---------------------------------------------------------------------------------------------------------
create type internal.provider_call_status as enum ('submitted', 'finishing', 'completed', 'failed', 'cancelled');

create table internal.provider_calls (
  id uuid primary key default gen_random_uuid(),
  -- Ids only, and no foreign keys: the cost and latency history outlives expired previews and erased accounts,
  -- and holds nothing about the child.
  story_id uuid not null,
  page_id uuid not null,
  page_number smallint not null,
  job_kind public.job_kind not null,
  -- generate: draw the page; upscale: bring a drawn page to print resolution.
  stage text not null constraint provider_call_stage check (stage in ('generate', 'upscale')),
  provider text not null,
  model text not null,
  -- The resolution asked for (e.g. 1K, 4K, x4), which the price depends on.
  resolution text,
  -- The provider's request id and the URLs its queue answered the submission with (queued calls only).
  request_id text constraint provider_call_request_is_unique unique,
  status_url text,
  response_url text,
  cancel_url text,
  -- The page attempt the call belongs to: its result completes the page only while this lease is current.
  lease_token uuid,
  msg_id bigint,
  -- A page drawn at preview size first and upscaled for print carries its preview-size images to the upscale.
  carried_hires_path text,
  carried_preview_path text,
  status internal.provider_call_status not null,
  submitted_at timestamptz not null default now(),
  finishing_until timestamptz,
  -- When the answer first reached us (webhook, or the sweep finding it): latency ends here, not after storing.
  answered_at timestamptz,
  last_checked_at timestamptz,
  finished_at timestamptz,
  -- Submission to the answer reaching us (for a request the sweep recovered, to when the sweep found it: an
  -- upper bound); the provider's own inference time when its status reports it.
  latency_ms integer,
  inference_ms integer,
  width integer,
  height integer,
  cost_usd numeric(12, 6) not null default 0 constraint provider_call_cost_not_negative check (cost_usd >= 0),
  error_code text
);
create index provider_calls_story_id_idx on internal.provider_calls (story_id);
create index provider_calls_unfinished_idx on internal.provider_calls (submitted_at)
  where status in ('submitted', 'finishing');
alter table internal.provider_calls enable row level security;
comment on table internal.provider_calls is 'One row per image provider call: model, stage, latency, cost, final size; for queued calls the request id, its URLs and the page lease it answers to.';

-- ---------------------------------------------------------------------------------------------------------
-- Recording calls
-- ---------------------------------------------------------------------------------------------------------
create function internal.record_finished_call(
  p_page_id uuid,
  p_stage text,
  p_provider text,
  p_model text,
  p_resolution text,
  p_latency_ms integer,
  p_width integer,
  p_height integer,
  p_cost_usd numeric
)
returns void
language sql
set search_path = ''
as $$
  insert into internal.provider_calls (
    story_id, page_id, page_number, job_kind, stage, provider, model, resolution, status, submitted_at,
    finished_at, latency_ms, width, height, cost_usd
  )
  select p.story_id, p.id, p.page_number, j.kind, p_stage, p_provider, p_model, p_resolution, 'completed',
         now() - pg_catalog.make_interval(secs => p_latency_ms / 1000.0), now(), p_latency_ms, p_width, p_height,
         p_cost_usd
    from public.story_pages p
    join public.generation_jobs j on j.id = p.job_id
   where p.id = p_page_id;
$$;
comment on function internal.record_finished_call(uuid, text, text, text, text, integer, integer, integer, numeric) is 'Records a synchronous provider call (the in-house illustrator) with its latency, size and cost.';

create function internal.record_provider_submission(
  p_page_id uuid,
  p_lease_token uuid,
  p_msg_id bigint,
  p_stage text,
  p_provider text,
  p_model text,
  p_resolution text,
  p_request_id text,
  p_status_url text,
  p_response_url text,
  p_cancel_url text,
  p_carried_hires_path text default null,
  p_carried_preview_path text default null
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  page public.story_pages;
  job_kind public.job_kind;
  waits interval;
begin
  select * into settings from internal.pipeline_settings;
  -- Locked in claim_page's order: the page, then its render (where the lease is checked).
  select * into page from public.story_pages where id = p_page_id and status = 'generating' for update;
  if not found then
    return false;
  end if;
  perform 1 from internal.page_renders where page_id = p_page_id and lease_token = p_lease_token for update;
  if not found then
    return false;
  end if;
  select kind into job_kind from public.generation_jobs where id = page.job_id;

  insert into internal.provider_calls (
    story_id, page_id, page_number, job_kind, stage, provider, model, resolution, request_id, status_url,
    response_url, cancel_url, lease_token, msg_id, carried_hires_path, carried_preview_path, status
  ) values (
    page.story_id, page.id, page.page_number, job_kind, p_stage, p_provider, p_model, p_resolution,
    p_request_id, p_status_url, p_response_url, p_cancel_url, p_lease_token, p_msg_id, p_carried_hires_path,
    p_carried_preview_path, 'submitted'
  );

  -- The page waits for the provider holding its lease, and its task stays invisible as long: a redelivery now
  -- would submit the page twice. The sweep (every minute, each call at most every sweep_after seconds) finds
  -- the request overdue by abandon + sweep_after + a minute at the latest and cancels it; only if even the
  -- sweep is down does the task come back, and a new attempt takes the expired lease over.
  waits := pg_catalog.make_interval(
    secs => settings.provider_abandon_after_seconds + 2 * settings.provider_sweep_after_seconds + 60
  );
  update internal.page_renders set lease_expires_at = now() + waits, updated_at = now()
   where page_id = p_page_id;
  perform pgmq.set_vt('page_tasks', p_msg_id, extract(epoch from waits)::integer);
  return true;
end;
$$;
comment on function internal.record_provider_submission(uuid, uuid, bigint, text, text, text, text, text, text, text, text, text, text) is 'Records a queued provider request for the attempt holding the page''s lease and keeps the page leased while the provider works. False when the lease is stale (the caller cancels the request).';

create function internal.begin_finishing_call(p_request_id text)
returns table (
  outcome text,
  call_id uuid,
  page_id uuid,
  story_id uuid,
  page_number smallint,
  job_kind public.job_kind,
  stage text,
  provider text,
  model text,
  resolution text,
  lease_token uuid,
  msg_id bigint,
  carried_hires_path text,
  carried_preview_path text,
  submitted_at timestamptz
)
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  call internal.provider_calls;
begin
  select * into settings from internal.pipeline_settings;
  select * into call from internal.provider_calls c where c.request_id = p_request_id for update;
  if not found then
    return query select 'unknown', null::uuid, null::uuid, null::uuid, null::smallint, null::public.job_kind,
      null::text, null::text, null::text, null::text, null::uuid, null::bigint, null::text, null::text,
      null::timestamptz;
    return;
  end if;
  if call.status in ('completed', 'failed', 'cancelled') then
    -- A duplicate delivery, or the sweep after the webhook: the result was stored once already.
    return query select 'finished', call.id, call.page_id, call.story_id, call.page_number, call.job_kind,
      call.stage, call.provider, call.model, call.resolution, call.lease_token, call.msg_id,
      call.carried_hires_path, call.carried_preview_path, call.submitted_at;
    return;
  end if;
  if call.status = 'finishing' and call.finishing_until > now() then
    -- Another delivery is storing this result now; if it dies, the sweep takes over once finishing_until passes.
    return query select 'busy', call.id, call.page_id, call.story_id, call.page_number, call.job_kind,
      call.stage, call.provider, call.model, call.resolution, call.lease_token, call.msg_id,
      call.carried_hires_path, call.carried_preview_path, call.submitted_at;
    return;
  end if;
  update internal.provider_calls c
     set status = 'finishing', answered_at = coalesce(c.answered_at, now()),
         finishing_until = now() + pg_catalog.make_interval(secs => settings.provider_finish_seconds)
   where c.id = call.id;
  return query select 'begun', call.id, call.page_id, call.story_id, call.page_number, call.job_kind,
    call.stage, call.provider, call.model, call.resolution, call.lease_token, call.msg_id,
    call.carried_hires_path, call.carried_preview_path, call.submitted_at;
end;
$$;
comment on function internal.begin_finishing_call(text) is 'Hands a provider request''s result to one finisher: begun, busy (another is on it), finished (a duplicate), or unknown.';

create function internal.finish_provider_call(
  p_call_id uuid,
  p_status internal.provider_call_status,
  p_error_code text default null,
  p_width integer default null,
  p_height integer default null,
  p_cost_usd numeric default 0,
  p_inference_ms integer default null
)
returns void
language sql
set search_path = ''
as $$
  update internal.provider_calls
     set status = p_status, error_code = p_error_code, width = p_width, height = p_height, cost_usd = p_cost_usd,
         inference_ms = p_inference_ms, finished_at = now(), finishing_until = null,
         latency_ms = (extract(epoch from coalesce(answered_at, now()) - submitted_at) * 1000)::integer
   where id = p_call_id and status in ('submitted', 'finishing');
$$;
comment on function internal.finish_provider_call(uuid, internal.provider_call_status, text, integer, integer, numeric, integer) is 'Closes a provider call with its outcome, final size, cost and latency.';

create function internal.provider_calls_to_check(p_limit integer)
returns table (
  call_id uuid,
  request_id text,
  status_url text,
  response_url text,
  cancel_url text,
  -- Unanswered past provider_abandon_after_seconds: the sweep cancels it and retries the page.
  overdue boolean
)
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  due interval;
begin
  select * into settings from internal.pipeline_settings;
  due := pg_catalog.make_interval(secs => settings.provider_sweep_after_seconds);
  -- Marked as checked in the same statement, so overlapping sweeps ask about different requests.
  return query
  update internal.provider_calls c
     set last_checked_at = now()
   where c.id in (
     select pc.id from internal.provider_calls pc
      where pc.request_id is not null
        and ((pc.status = 'submitted' and pc.submitted_at < now() - due
              and (pc.last_checked_at is null or pc.last_checked_at < now() - due))
          or (pc.status = 'finishing' and pc.finishing_until < now()
              and (pc.last_checked_at is null or pc.last_checked_at < pc.finishing_until
                   or pc.last_checked_at < now() - due)))
      order by pc.submitted_at
      limit p_limit
        for update skip locked
   )
  returning c.id, c.request_id, c.status_url, c.response_url, c.cancel_url,
            -- An answer that reached us is fetched again, never abandoned: it is there, and paid for.
            c.answered_at is null
              and c.submitted_at < now() - pg_catalog.make_interval(secs => settings.provider_abandon_after_seconds);
end;
$$;
comment on function internal.provider_calls_to_check(integer) is 'Queued provider requests whose webhook is late (or whose finisher died): the sweep asks the provider about them, or gives up on the overdue.';

-- ---------------------------------------------------------------------------------------------------------
-- Content refusals: one softened retry, then the page is flagged for an operator
-- ---------------------------------------------------------------------------------------------------------
create function internal.review_message(p_page_number integer)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when p_page_number = 0
    then 'Our team is reviewing the cover before we draw it again. We will be in touch.'
    else format('Our team is reviewing page %s before we draw it again. We will be in touch.', p_page_number)
  end;
$$;
comment on function internal.review_message(integer) is 'What a parent reads while a page of their book is held for review.';

create function internal.flag_page(p_page public.story_pages, p_msg_id bigint, p_detail text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.story_pages
     set status = 'flagged', last_error = 'content_refused: ' || p_detail, updated_at = now()
   where id = p_page.id;
  update internal.page_renders set lease_token = null, lease_expires_at = null, updated_at = now()
   where page_id = p_page.id;
  perform pgmq.archive('page_tasks', p_msg_id);
  update public.generation_jobs
     set status = 'failed', current_step = 'held for review', updated_at = now(),
         error = internal.review_message(p_page.page_number)
   where id = p_page.job_id;
  update public.stories set status = 'failed', updated_at = now() where id = p_page.story_id;
end;
$$;
comment on function internal.flag_page(public.story_pages, bigint, text) is 'Holds a page the provider refused twice on content grounds for an operator (internal.release_flagged_page).';

create function internal.release_flagged_page(p_page_id uuid)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  page public.story_pages;
begin
  select * into page from public.story_pages where id = p_page_id and status = 'flagged' for update;
  if not found
     or exists (select 1 from public.generation_jobs j where j.id = page.job_id and j.status = 'cancelled') then
    return false;
  end if;
  -- Fresh attempts; the refusal count stays, so the page is drawn with the softened prompt once more. Through
  -- pending (which enqueue_page accepts), so the parent is never told the page failed.
  update public.story_pages set status = 'pending', attempts = 0, last_error = null where id = p_page_id;
  perform internal.enqueue_page(p_page_id, page.job_id);
  if exists (select 1 from public.story_pages where job_id = page.job_id and status = 'flagged') then
    -- Another page is still held: the job stays held until that one is released too, and says which.
    update public.generation_jobs j
       set error = internal.review_message(held.page_number), updated_at = now()
      from (select min(page_number) as page_number from public.story_pages
             where job_id = page.job_id and status = 'flagged') held
     where j.id = page.job_id;
    perform internal.dispatch_page_tasks();
    return true;
  end if;
  -- Pages of the job that failed meanwhile could not be retried by the parent (retry_story leaves a held job
  -- alone), so the job is reopened whole: otherwise it would wait for them for ever.
  update public.story_pages set attempts = 0, last_error = null where job_id = page.job_id and status = 'failed';
  perform internal.enqueue_page(p.id, page.job_id)
     from public.story_pages p where p.job_id = page.job_id and p.status = 'failed';
  update public.generation_jobs
     set status = 'processing', error = null, current_step = 'retrying', updated_at = now()
   where id = page.job_id;
  update public.stories set status = 'processing', updated_at = now() where id = page.story_id;
  perform internal.dispatch_page_tasks();
  return true;
end;
$$;
comment on function internal.release_flagged_page(uuid) is 'Operator action: sends a flagged page back to the provider (softened prompt); once no page of the job is held, reopens the job with its failed pages.';

create or replace function internal.fail_page_attempt(
  p_page_id uuid,
  p_lease_token uuid,
  p_msg_id bigint,
  p_error_code text,
  p_error_detail text,
  p_retryable boolean,
  p_retry_after_seconds integer default null
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  page public.story_pages;
  render internal.page_renders;
  delay_seconds integer;
  refused boolean := p_error_code = 'content_refused';
begin
  select * into settings from internal.pipeline_settings;
  -- Locked page first, then its render, as claim_page does; the lease is checked on the locked render row.
  select * into page from public.story_pages where id = p_page_id and status = 'generating' for update;
  if not found then
    return 'stale';
  end if;
  select * into render from internal.page_renders where page_id = p_page_id and lease_token = p_lease_token
     for update;
  if not found then
    return 'stale';
  end if;

  if exists (select 1 from public.generation_jobs j where j.id = page.job_id and j.status = 'cancelled') then
    -- The order was cancelled while this page was being drawn: no retry spends more on it.
    update public.story_pages
       set status = 'failed', last_error = 'cancelled: the order was cancelled', updated_at = now()
     where id = p_page_id;
    update internal.page_renders set lease_token = null, lease_expires_at = null, updated_at = now()
     where page_id = p_page_id;
    perform pgmq.archive('page_tasks', p_msg_id);
    return 'failed';
  end if;
  if refused and render.content_refusals >= 1 then
    perform internal.flag_page(page, p_msg_id, p_error_detail);
    perform internal.dispatch_page_tasks();
    return 'flagged';
  end if;

  -- A first content refusal is retried once whatever the attempts, with a softened prompt; a rate-limited
  -- attempt never reached the model and is retried whatever the attempts too.
  if refused or (p_retryable and (page.attempts < settings.max_attempts or p_error_code = 'rate_limited')) then
    -- The provider's own Retry-After is honoured beyond our backoff's cap, up to the time we would wait for a
    -- provider's answer at all.
    delay_seconds := case
      when p_retry_after_seconds is not null
        then least(p_retry_after_seconds, settings.provider_abandon_after_seconds)
      else least(settings.retry_max_seconds, settings.retry_base_seconds * (2 ^ (page.attempts - 1))::integer)
    end;
    update public.story_pages
       set status = 'queued', last_error = p_error_code || ': ' || p_error_detail, updated_at = now(),
           -- A rate-limited attempt never reached the model, so it does not use up the page's attempts.
           attempts = case
             when p_error_code = 'rate_limited' then greatest(attempts - 1, 0)
             when refused then least(attempts, settings.max_attempts - 1)
             else attempts end
     where id = p_page_id;
    update internal.page_renders
       set lease_token = null, lease_expires_at = null, updated_at = now(),
           content_refusals = content_refusals + case when refused then 1 else 0 end
     where page_id = p_page_id;
    -- Backoff through the visibility timeout: the same message comes back after the delay.
    perform pgmq.set_vt('page_tasks', p_msg_id, delay_seconds);
    -- Meanwhile its slot goes to another task.
    perform internal.dispatch_page_tasks();
    return 'retrying';
  end if;

  perform internal.fail_page(page, p_msg_id, p_error_code, p_error_detail);
  perform internal.dispatch_page_tasks();
  return 'failed';
end;
$$;
comment on function internal.fail_page_attempt(uuid, uuid, bigint, text, text, boolean, integer) is 'Records a failed attempt of the lease holder: retried after backoff (or the provider''s Retry-After) while attempts remain and the error is retryable, a rate limit costing no attempt; a first content refusal is retried softened and a second flags the page; else the page and its job fail.';

-- A job with a page held for review stays held: another page failing keeps the review message (the parent's
-- retry would not help), and the parent's retry leaves it to the operator's release.
create or replace function internal.fail_page(
  p_page public.story_pages,
  p_msg_id bigint,
  p_code text,
  p_detail text
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.story_pages
     set status = 'failed', last_error = p_code || ': ' || p_detail, updated_at = now()
   where id = p_page.id;
  update internal.page_renders set lease_token = null, lease_expires_at = null, updated_at = now()
   where page_id = p_page.id;
  -- Kept in the archive for the operator; the parent retries through the API.
  perform pgmq.archive('page_tasks', p_msg_id);
  update public.generation_jobs
     set status = 'failed', current_step = 'failed', updated_at = now(),
         error = case when p_page.page_number = 0
                   then 'We could not draw the cover. Please press retry.'
                   else format('We could not draw page %s. Please press retry.', p_page.page_number) end
   where id = p_page.job_id and status <> 'cancelled'
     and not exists (select 1 from public.story_pages where job_id = p_page.job_id and status = 'flagged');
  -- A cancelled order's story is a preview again (record_order_cancelled); a page failing late changes nothing.
  update public.stories set status = 'failed', updated_at = now()
   where id = p_page.story_id
     and not exists (select 1 from public.generation_jobs j where j.id = p_page.job_id and j.status = 'cancelled');
end;
$$;
comment on function internal.fail_page(public.story_pages, bigint, text, text) is 'Marks a page failed after its last attempt, archives its task and fails the job with a message a parent can act on (a job held for review keeps its review message).';

create or replace function internal.retry_story(p_story_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  job public.generation_jobs;
  page record;
  requeued integer := 0;
begin
  select * into settings from internal.pipeline_settings;
  select * into job from public.generation_jobs
   where story_id = p_story_id and status = 'failed'
   order by created_at desc limit 1
     for update;
  if not found then
    return 0;
  end if;
  if exists (select 1 from public.story_pages where job_id = job.id and status = 'flagged') then
    -- Held for review: the operator's release re-queues the failed pages with the flagged one.
    return 0;
  end if;
  if job.retries >= settings.max_story_retries then
    raise exception 'this story has been retried % times already', job.retries
      using errcode = 'TC429', hint = 'retries';
  end if;
  -- A retried job is active again, so it counts against the owner's limit of three.
  if (
    select count(*) from public.generation_jobs j join public.stories s on s.id = j.story_id
     where s.user_id = (select user_id from public.stories where id = p_story_id)
       and j.status in ('queued', 'processing')
  ) >= 3 then
    raise exception 'too many active generations' using errcode = 'TC429';
  end if;

  if not exists (select 1 from public.story_pages where job_id = job.id and status = 'failed') then
    -- Nothing failed, so nothing changes: the job keeps its state and no retry is counted.
    return 0;
  end if;

  for page in
    select id from public.story_pages where job_id = job.id and status = 'failed' order by page_number
  loop
    update public.story_pages set attempts = 0, last_error = null where id = page.id;
    perform internal.enqueue_page(page.id, job.id);
    requeued := requeued + 1;
  end loop;
  update public.generation_jobs
     set status = 'processing', error = null, retries = retries + 1, current_step = 'retrying', updated_at = now()
   where id = job.id;
  update public.stories set status = 'processing', updated_at = now() where id = p_story_id;
  perform internal.dispatch_page_tasks();
  return requeued;
end;
$$;
comment on function internal.retry_story(uuid) is 'Re-queues the failed pages of a story''s failed job with fresh attempts; bounded by max_story_retries; a job held for review is left to the operator.';

-- ---------------------------------------------------------------------------------------------------------
-- Print: a bought book's pages at print resolution
-- ---------------------------------------------------------------------------------------------------------
create function internal.record_print_render(
  p_page_id uuid,
  p_lease_token uuid,
  p_print_path text,
  p_width integer,
  p_height integer
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  -- Called in the transaction that then completes the page, holding the same lease.
  perform 1 from public.story_pages where id = p_page_id and status = 'generating' for update;
  if not found then
    return false;
  end if;
  update internal.page_renders
     set print_path = p_print_path, print_width = p_width, print_height = p_height, updated_at = now()
   where page_id = p_page_id and lease_token = p_lease_token;
  return found;
end;
$$;
comment on function internal.record_print_render(uuid, uuid, text, integer, integer) is 'Stores the print-resolution image of a page and its pixel size, for the attempt holding the lease.';

create function internal.start_print_job(p_story_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  story public.stories;
  job_id uuid;
  page record;
begin
  select * into story from public.stories where id = p_story_id for update;
  if not found then
    raise exception 'story % does not exist', p_story_id using errcode = 'TC404';
  end if;
  select id into job_id from public.generation_jobs
   where story_id = p_story_id and kind = 'print' and status <> 'cancelled';
  if found then
    -- Bought once: a repeated purchase notice changes nothing.
    return job_id;
  end if;
  if exists (
    select 1 from public.story_pages where story_id = p_story_id and status in ('queued', 'generating')
  ) then
    raise exception 'the preview of story % is still being drawn', p_story_id
      using errcode = 'TC409', hint = 'call again once its preview job has finished';
  end if;
  if exists (select 1 from public.story_pages where story_id = p_story_id and status = 'flagged') then
    raise exception 'a page of story % is held for review', p_story_id
      using errcode = 'TC409', hint = 'release it (internal.release_flagged_page), then call again';
  end if;

  update public.stories
     set purchased_at = coalesce(purchased_at, now()), status = 'processing', updated_at = now()
   where id = p_story_id;
  -- Bought again after a cancelled order: the cancelled run gives way to a new one (one print job per story).
  delete from public.generation_jobs where story_id = p_story_id and kind = 'print' and status = 'cancelled';
  insert into public.generation_jobs (story_id, kind, status, total_pages, current_step)
  values (p_story_id, 'print', 'queued', 11, 'preparing the book for print')
  returning id into job_id;

  -- Every page, whatever its preview state: drawn pages are brought to print resolution, the others drawn.
  -- enqueue_page moves pending and failed pages only, so done (and flagged) pages are reset to pending first.
  for page in select id from public.story_pages where story_id = p_story_id order by page_number loop
    update public.story_pages set status = 'pending', attempts = 0, last_error = null where id = page.id;
    perform internal.enqueue_page(page.id, job_id);
  end loop;
  perform internal.dispatch_page_tasks();
  return job_id;
end;
$$;
comment on function internal.start_print_job(uuid) is 'Marks a story bought and queues every page at print resolution under its print job (idempotent). For the purchase webhook: refuses (TC409) while the preview is being drawn or a page is held for review.';

-- ---------------------------------------------------------------------------------------------------------
-- Reports for operators
-- ---------------------------------------------------------------------------------------------------------
create view internal.story_costs
with (security_invoker = true)
as
select story_id,
       coalesce(sum(cost_usd) filter (where job_kind = 'preview'), 0) as preview_cost_usd,
       coalesce(sum(cost_usd) filter (where job_kind = 'print'), 0) as book_cost_usd,
       sum(cost_usd) as total_cost_usd,
       count(*) as calls,
       count(*) filter (where status = 'failed') as failed_calls
  from internal.provider_calls
 group by story_id;
comment on view internal.story_costs is 'What each story cost in provider calls: the free preview apart from the bought book.';

create view internal.provider_latency
with (security_invoker = true)
as
select provider, model, stage, job_kind,
       count(*) as calls,
       percentile_cont(0.5) within group (order by latency_ms)::integer as p50_ms,
       percentile_cont(0.95) within group (order by latency_ms)::integer as p95_ms,
       percentile_cont(0.5) within group (order by inference_ms)::integer as p50_inference_ms
  from internal.provider_calls
 where status = 'completed' and finished_at > now() - interval '7 days'
 group by provider, model, stage, job_kind;
comment on view internal.provider_latency is 'Provider latency per model and stage over the last 7 days (ours: submission to result; theirs: inference).';

-- Called as postgres (the owner) by the functions; no API role may execute them.
revoke all on all functions in schema internal from public;

-- The lost-webhook sweep.
select cron.schedule(
  'sweep-provider-calls', '* * * * *', $$ select internal.call_function('maintenance', '{"task": "sweep_provider_calls"}', 120000); $$
);
