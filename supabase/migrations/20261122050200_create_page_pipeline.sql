-- The page pipeline: a pgmq queue of page tasks, a dispatcher that hands each task to the page-worker edge
-- function through pg_net (as in Supabase's automatic-embeddings guide), a pg_cron safety net, and the state
-- machine the worker drives: claim (lease) → complete | fail, exactly once per page.
--
--   enqueue_page ──send──▶ page_tasks ──read (vt = worker timeout)──▶ net.http_post → page-worker
--   page-worker: claim_page → provider → storage → complete_page (page done, message deleted, progress, next pages)
--                                                → fail_page_attempt (retry after backoff, or fail and archive)
--
-- A message that is read but not finished (the worker crashed, the platform was killed) becomes visible again
-- when its visibility timeout passes, and the next dispatch hands it out again. Duplicate deliveries are made
-- harmless by the lease: only the attempt holding the current lease token can complete a page.
-- Every function runs as the caller (postgres or service_role) unless its comment says why not.

create extension if not exists pgmq;
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron;

select pgmq.create('page_tasks');

-- ---------------------------------------------------------------------------------------------------------
-- Settings
-- ---------------------------------------------------------------------------------------------------------
create table internal.pipeline_settings (
  singleton boolean primary key default true constraint one_settings_row check (singleton),
  -- Most pages generating at once across all stories (the image provider's concurrency).
  max_concurrent_pages integer not null default 32 constraint max_concurrent_pages_positive check (max_concurrent_pages > 0),
  -- Attempts per page before it fails; the parent can then retry, a bounded number of times.
  max_attempts smallint not null default 3 constraint max_attempts_positive check (max_attempts > 0),
  max_story_retries smallint not null default 3,
  -- The worker's time budget, used as the visibility timeout and the lease length.
  worker_timeout_seconds integer not null default 120,
  retry_base_seconds integer not null default 5,
  retry_max_seconds integer not null default 300
);
insert into internal.pipeline_settings default values;
alter table internal.pipeline_settings enable row level security;

alter table public.story_pages add column job_id uuid references public.generation_jobs (id) on delete set null;
create index story_pages_job_id_idx on public.story_pages (job_id);

alter table public.generation_jobs add column retries smallint not null default 0;

-- ---------------------------------------------------------------------------------------------------------
-- Secrets: the project URL and the key the dispatcher calls the worker with (vault, as in Supabase's guides)
-- ---------------------------------------------------------------------------------------------------------
create function internal.secret(secret_name text)
returns text
language plpgsql
stable
security definer -- vault is readable by the owner (postgres) only; callers get one named value, never the table
set search_path = ''
as $$
declare
  value text;
begin
  select decrypted_secret into value from vault.decrypted_secrets where name = secret_name;
  if value is null then
    raise exception 'vault secret "%" is not set', secret_name
      using hint = 'select vault.create_secret(<value>, ''' || secret_name || '''); see README, Deploying.';
  end if;
  return value;
end;
$$;
revoke all on function internal.secret(text) from public;

-- ---------------------------------------------------------------------------------------------------------
-- Enqueue and dispatch
-- ---------------------------------------------------------------------------------------------------------
create function internal.enqueue_page(p_page_id uuid, p_job_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.story_pages
     set status = 'queued', job_id = p_job_id, queued_at = now(), updated_at = now()
   where id = p_page_id and status in ('pending', 'failed');
  if found then
    -- Ids only: the worker loads everything else, so a message never carries personal data.
    perform pgmq.send('page_tasks', jsonb_build_object('page_id', p_page_id));
  end if;
end;
$$;
comment on function internal.enqueue_page(uuid, uuid) is 'Queues one page for generation under a job; a page already queued, generating or done is left alone.';

create function internal.dispatch_page_tasks()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  in_flight integer;
  worker_url text;
  worker_key text;
  task record;
  dispatched integer := 0;
begin
  -- One dispatcher at a time (cron tick and enqueue-time dispatch may overlap), so the budget is not overspent.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('internal.dispatch_page_tasks'));
  select * into settings from internal.pipeline_settings;
  select count(*) into in_flight from internal.page_renders where lease_expires_at > now();
  if in_flight >= settings.max_concurrent_pages then
    return 0;
  end if;

  for task in
    select msg_id, message
      from pgmq.read('page_tasks', settings.worker_timeout_seconds, settings.max_concurrent_pages - in_flight)
  loop
    if worker_url is null then
      worker_url := internal.secret('project_url') || '/functions/v1/page-worker';
      worker_key := internal.secret('service_role_key');
    end if;
    -- Reserve the page's slot until the message's visibility timeout, so the next dispatch counts it. A page
    -- still holding a crashed attempt's lease keeps that lease's end, so this delivery can take it over.
    update internal.page_renders
       set lease_expires_at = now() + pg_catalog.make_interval(secs => settings.worker_timeout_seconds),
           updated_at = now()
     where page_id = (task.message ->> 'page_id')::uuid and lease_token is null;
    perform net.http_post(
      url => worker_url,
      body => jsonb_build_object('msg_id', task.msg_id, 'page_id', task.message ->> 'page_id'),
      headers => jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || worker_key),
      timeout_milliseconds => settings.worker_timeout_seconds * 1000
    );
    dispatched := dispatched + 1;
  end loop;
  return dispatched;
end;
$$;
comment on function internal.dispatch_page_tasks() is 'Hands visible page tasks to the page-worker function, up to the concurrency budget. Called at enqueue time and by cron.';

-- ---------------------------------------------------------------------------------------------------------
-- The worker's state machine
-- ---------------------------------------------------------------------------------------------------------
create function internal.claim_page(p_page_id uuid, p_msg_id bigint)
returns table (outcome text, lease_token uuid, attempt smallint)
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  page public.story_pages;
  render internal.page_renders;
  token uuid := gen_random_uuid();
begin
  select * into settings from internal.pipeline_settings;
  select * into page from public.story_pages where id = p_page_id for update;
  if not found then
    -- The story was deleted (expiry, erasure): nothing to do, the message is dropped.
    perform pgmq.delete('page_tasks', p_msg_id);
    return query select 'missing', null::uuid, null::smallint;
    return;
  end if;
  select * into render from internal.page_renders where page_id = p_page_id for update;

  if page.status in ('done', 'failed', 'pending') then
    -- A duplicate of a finished task, or a task for a page that is no longer queued: dropped, and the slot the
    -- dispatcher reserved for it is given back.
    perform pgmq.delete('page_tasks', p_msg_id);
    update internal.page_renders r set lease_expires_at = null, updated_at = now()
     where r.page_id = p_page_id and r.lease_token is null;
    return query select 'not_queued', null::uuid, page.attempts;
    return;
  end if;
  if page.status = 'generating' and render.lease_token is not null and render.lease_expires_at > now() then
    -- Another attempt holds a live lease; this delivery waits for the message's next visibility.
    return query select 'busy', null::uuid, page.attempts;
    return;
  end if;
  if page.attempts >= settings.max_attempts then
    perform internal.fail_page(page, p_msg_id, 'exhausted', 'the page ran out of attempts');
    return query select 'exhausted', null::uuid, page.attempts;
    return;
  end if;

  update public.story_pages
     set status = 'generating', attempts = attempts + 1, started_at = now(), updated_at = now()
   where id = p_page_id;
  -- The lease ends when this delivery's visibility timeout does, so that a crashed attempt's message, once
  -- visible again, finds the lease expired and can be claimed at once.
  update internal.page_renders
     set lease_token = token,
         lease_expires_at = coalesce(
           (select q.vt from pgmq.q_page_tasks q where q.msg_id = p_msg_id),
           now() + pg_catalog.make_interval(secs => settings.worker_timeout_seconds)
         ),
         updated_at = now()
   where page_id = p_page_id;
  update public.generation_jobs
     set status = 'processing', started_at = coalesce(started_at, now()),
         current_step = case when page.page_number = 0 then 'drawing the cover' else 'drawing the pages' end,
         updated_at = now()
   where id = page.job_id and status = 'queued';
  update public.stories set status = 'processing', updated_at = now()
   where id = page.story_id and status = 'queued';
  return query select 'claimed', token, (page.attempts + 1)::smallint;
end;
$$;
comment on function internal.claim_page(uuid, bigint) is 'Leases a queued page to one worker attempt. Outcomes: claimed (with lease_token), busy, not_queued, missing, exhausted.';

create function internal.complete_page(
  p_page_id uuid,
  p_lease_token uuid,
  p_msg_id bigint,
  p_hires_path text,
  p_preview_path text,
  p_provider text,
  p_model text
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  page public.story_pages;
  job public.generation_jobs;
  next_page record;
begin
  -- Rows are locked in the order claim_page locks them (page, its render, then the job), so the two never
  -- deadlock. Conditional on the lease: a stale or duplicate attempt changes nothing.
  select * into page from public.story_pages where id = p_page_id and status = 'generating' for update;
  if not found then
    return false;
  end if;
  perform 1 from internal.page_renders where page_id = p_page_id and lease_token = p_lease_token for update;
  if not found then
    return false;
  end if;

  -- Counted first, holding the job's row: completions of one job then happen one after another, so each page's
  -- progress broadcast sees every page completed before it, and progress only goes up.
  update public.generation_jobs
     set pages_completed = pages_completed + 1, updated_at = now()
   where id = page.job_id
  returning * into job;

  update public.story_pages
     set status = 'done', preview_path = p_preview_path, illustrated_by = p_provider, last_error = null,
         completed_at = now(), updated_at = now()
   where id = p_page_id;
  update internal.page_renders
     set hires_path = p_hires_path, provider = p_provider, model = p_model,
         lease_token = null, lease_expires_at = null, updated_at = now()
   where page_id = p_page_id;
  perform pgmq.delete('page_tasks', p_msg_id);

  if page.page_number = 0 then
    -- The cover is the character anchor: the story pages of the job start only now.
    for next_page in
      select p.id from public.story_pages p
       where p.story_id = page.story_id and p.page_number > 0 and not p.is_locked and p.status = 'pending'
       order by p.page_number
    loop
      perform internal.enqueue_page(next_page.id, page.job_id);
    end loop;
  end if;

  if job.pages_completed >= job.total_pages then
    update public.generation_jobs
       set status = 'completed', current_step = 'done', completed_at = now(), error = null, updated_at = now()
     where id = job.id;
    update public.stories set status = 'completed', updated_at = now() where id = page.story_id;
  else
    update public.generation_jobs set current_step = 'drawing the pages', updated_at = now()
     where id = job.id and status = 'processing' and current_step <> 'drawing the pages';
  end if;
  -- This page's slot is free now (and a finished cover queued its pages): hand out the next tasks at once
  -- rather than at the next cron tick.
  perform internal.dispatch_page_tasks();
  return true;
end;
$$;
comment on function internal.complete_page(uuid, uuid, bigint, text, text, text, text) is 'Finishes a page for the attempt holding its lease, in one transaction: page done, message deleted, progress counted, next pages queued. False when the lease is stale.';

create function internal.fail_page(p_page public.story_pages, p_msg_id bigint, p_code text, p_detail text)
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
   where id = p_page.job_id;
  update public.stories set status = 'failed', updated_at = now() where id = p_page.story_id;
end;
$$;
comment on function internal.fail_page(public.story_pages, bigint, text, text) is 'Marks a page failed after its last attempt, archives its task and fails the job with a message a parent can act on.';

create function internal.fail_page_attempt(
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
  delay_seconds integer;
begin
  select * into settings from internal.pipeline_settings;
  -- Locked page first, then its render, as claim_page does; the lease is checked on the locked render row.
  select * into page from public.story_pages where id = p_page_id and status = 'generating' for update;
  if not found then
    return 'stale';
  end if;
  perform 1 from internal.page_renders where page_id = p_page_id and lease_token = p_lease_token for update;
  if not found then
    return 'stale';
  end if;

  if p_retryable and page.attempts < settings.max_attempts then
    delay_seconds := least(
      settings.retry_max_seconds,
      coalesce(p_retry_after_seconds, settings.retry_base_seconds * (2 ^ (page.attempts - 1))::integer)
    );
    update public.story_pages
       set status = 'queued', last_error = p_error_code || ': ' || p_error_detail, updated_at = now()
     where id = p_page_id;
    update internal.page_renders set lease_token = null, lease_expires_at = null, updated_at = now()
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
comment on function internal.fail_page_attempt(uuid, uuid, bigint, text, text, boolean, integer) is 'Records a failed attempt of the lease holder: retried after backoff while attempts remain and the error is retryable, else the page and its job fail.';

create function internal.retry_story(p_story_id uuid)
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
comment on function internal.retry_story(uuid) is 'Re-queues the failed pages of a story''s failed job with fresh attempts; bounded by max_story_retries.';

-- The functions and cron call these as postgres, the owner, through the database URL Supabase gives functions;
-- no API role may execute them.
revoke all on all functions in schema internal from public;

-- The safety net: tasks whose visibility timeout passed (crash, lost request, backoff) are dispatched again.
select cron.schedule('dispatch-page-tasks', '2 seconds', $$ select internal.dispatch_page_tasks(); $$);
