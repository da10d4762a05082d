-- Operator tools: what an on-call operator runs in psql when a book is stuck, an email went missing or a
-- parent complains about a picture (docs/runbook.md shows each with examples).
--
--   ops.stuck_work(older_than)          what is not moving: expired leases, long queues, late provider
--                                       answers, paid orders with no book, books with no email, failed
--                                       emails, pages held for review, old queue messages (ids only)
--   ops.retry_order(order)              re-queues the first failed step of an order: its pages, its book
--                                       assembly or its email
--   ops.resend_book_email(order)        emails a delivered book again, under an idempotency key of its own
--   ops.regenerate_page(page, reason)   redraws one page within a per-story budget; a bought book is brought
--                                       to print again, re-assembled and emailed again
--
-- Why a schema of its own: these are the only functions the service role may call, and schema `internal`
-- stays out of every API role's reach (its access tests say so). `ops` is not exposed by the Data API
-- (config.toml lists public and graphql_public only): they are called from a database session (the SQL
-- editor or psql as postgres, or a session acting as service_role), never over HTTP. They are security
-- definer: they act on internal tables the service role cannot read, each with its own checks, and record
-- every action in internal.operator_actions.
--
-- The plumbing they share stays in `internal`, executable by postgres only, like the rest of the pipeline:
-- internal.operator_settings, internal.operator_actions, internal.queue_book_email,
-- internal.requeue_failed_pages and the two triggers that carry a regenerated page of a bought book back to
-- print and its book to a new assembly.
--
-- Errors: TC404 (no such order or page), TC409 (the request does not fit the order's or page's state; the
-- hint says what to do instead), TC429 (the regeneration budget is spent), 22023 (a missing argument).

create schema ops;
comment on schema ops is 'Operator functions (service role and postgres only). See docs/runbook.md.';
revoke all on schema ops from public, anon, authenticated;
grant usage on schema ops to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- Settings and the audit trail
-- ---------------------------------------------------------------------------------------------------------
create table internal.operator_settings (
  singleton boolean primary key default true constraint one_settings_row check (singleton),
  -- Redraws an operator may order per story, whatever the page: each costs provider calls, and a bought
  -- book is assembled and emailed again each time.
  max_page_regenerations_per_story smallint not null default 3
    constraint max_page_regenerations_not_negative check (max_page_regenerations_per_story >= 0)
);
insert into internal.operator_settings default values;
alter table internal.operator_settings enable row level security;
comment on table internal.operator_settings is 'Limits of the operator functions, one row. E.g. `update internal.operator_settings set max_page_regenerations_per_story = 5;` takes effect at the next call.';

create table internal.operator_actions (
  id bigint generated always as identity primary key,
  action text not null
    constraint operator_action_kind check (action in ('retry_order', 'resend_book_email', 'regenerate_page')),
  -- Ids only, and no foreign keys: the trail outlives an erased story, like internal.provider_calls.
  order_id uuid,
  story_id uuid,
  page_id uuid,
  -- The operator's reason (regenerate_page requires one): a ticket number and the complaint, never a name or
  -- an address.
  reason text constraint operator_action_reason_length check (char_length(reason) between 1 and 500),
  -- What the function did, as it answered the operator.
  outcome jsonb not null,
  -- `set talecraft.operator = '<staff id>'` names the operator; without it, the database login role.
  performed_by text not null,
  performed_at timestamptz not null default now()
);
create index operator_actions_story_id_idx on internal.operator_actions (story_id, action);
create index operator_actions_order_id_idx on internal.operator_actions (order_id);
alter table internal.operator_actions enable row level security;
comment on table internal.operator_actions is 'Every operator action: what, on which ids, why, by whom, when, and what it did. The regeneration budget is counted here.';

create function internal.record_operator_action(
  p_action text,
  p_order_id uuid,
  p_story_id uuid,
  p_page_id uuid,
  p_reason text,
  p_outcome jsonb
)
returns void
language sql
set search_path = ''
as $$
  insert into internal.operator_actions (action, order_id, story_id, page_id, reason, outcome, performed_by)
  values (p_action, p_order_id, p_story_id, p_page_id, p_reason, p_outcome,
          coalesce(nullif(pg_catalog.current_setting('talecraft.operator', true), ''), session_user::text));
$$;
comment on function internal.record_operator_action(text, uuid, uuid, uuid, text, jsonb) is 'Appends one operator action to internal.operator_actions, naming the operator (talecraft.operator, else the login role).';

-- ---------------------------------------------------------------------------------------------------------
-- Emails: one outbox row per send, each under its own idempotency key
-- ---------------------------------------------------------------------------------------------------------
-- The first book-ready email of an order is send 0, key book-ready/<order id>; a deliberate resend (an
-- operator's, or a book assembled again) is send n, key book-ready/<order id>/resend-<n>. Resend keeps one
-- email per key for 24 hours, so a resend under the first key would be swallowed; the email-worker already
-- sends each row under the row's own key.
alter table internal.email_outbox
  add column send_number smallint not null default 0
    constraint email_send_number_not_negative check (send_number >= 0);
alter table internal.email_outbox drop constraint one_email_per_order_and_kind;
alter table internal.email_outbox
  add constraint one_email_per_order_kind_and_send unique (order_id, kind, send_number);
comment on column internal.email_outbox.send_number is '0 for the first email of its kind for the order (key book-ready/<order id>), n for its n-th resend (key book-ready/<order id>/resend-<n>).';

create function internal.queue_book_email(p_order_id uuid)
returns internal.email_outbox
language plpgsql
set search_path = ''
as $$
declare
  next_send smallint;
  queued internal.email_outbox;
begin
  -- The caller holds the order's row lock, so two callers cannot take the same send number.
  select coalesce(max(e.send_number) + 1, 0) into next_send
    from internal.email_outbox e where e.order_id = p_order_id and e.kind = 'book_ready';
  insert into internal.email_outbox (order_id, kind, send_number, idempotency_key)
  values (p_order_id, 'book_ready', next_send,
          case when next_send = 0 then 'book-ready/' || p_order_id
               else 'book-ready/' || p_order_id || '/resend-' || next_send end)
  returning * into queued;
  perform pgmq.send('email_tasks', jsonb_build_object('email_id', queued.id));
  perform internal.dispatch_delivery_tasks();
  return queued;
end;
$$;
comment on function internal.queue_book_email(uuid) is 'Queues a new book-ready email for an order (call it holding the order''s lock): the first under book-ready/<order id>, later ones under book-ready/<order id>/resend-<n>.';

-- complete_book as before, except for its email: a book assembled again (an operator regenerated one of its
-- pages) is emailed again under a key of its own, unless an email of the order is still waiting to go, which
-- will then carry the link to the new book.
create or replace function internal.complete_book(
  p_order_id uuid,
  p_msg_id bigint,
  p_book_path text,
  p_bytes bigint,
  p_pages smallint
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  settings internal.delivery_settings;
  bought public.orders;
begin
  select * into settings from internal.delivery_settings;
  select * into bought from public.orders where id = p_order_id for update;
  perform pgmq.delete('book_tasks', p_msg_id);
  if bought.id is null or bought.status <> 'paid' or bought.book_path is not null then
    -- Cancelled meanwhile, or assembled by another delivery of the task: this book is not the one kept.
    return false;
  end if;
  update public.orders
     set book_path = p_book_path, book_bytes = p_bytes, book_pages = p_pages, book_ready_at = now(),
         download_expires_at = now() + pg_catalog.make_interval(days => settings.download_days), updated_at = now()
   where id = p_order_id;
  if not exists (
    select 1 from internal.email_outbox e
     where e.order_id = p_order_id and e.kind = 'book_ready' and e.status = 'queued'
  ) then
    perform internal.queue_book_email(p_order_id);
  end if;
  return true;
end;
$$;
comment on function internal.complete_book(uuid, bigint, text, bigint, smallint) is 'Keeps the assembled book of a paid order and queues its email (a book assembled again is emailed again under a new key); false (the caller deletes its PDF) when the order was cancelled or already has its book.';

-- ---------------------------------------------------------------------------------------------------------
-- Re-queuing failed pages
-- ---------------------------------------------------------------------------------------------------------
-- internal.retry_story is the parent's retry: bounded by max_story_retries and by the parent's three active
-- generations, and only for the newest failed job. An operator's retry is neither (it is recorded in
-- internal.operator_actions instead), so it re-queues a job's failed pages directly.
create function internal.requeue_failed_pages(p_job_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  job public.generation_jobs;
  page record;
  requeued integer := 0;
begin
  select * into job from public.generation_jobs where id = p_job_id for update;
  for page in
    select p.id from public.story_pages p where p.job_id = p_job_id and p.status = 'failed' order by p.page_number
  loop
    update public.story_pages set attempts = 0, last_error = null where id = page.id;
    perform internal.enqueue_page(page.id, p_job_id);
    requeued := requeued + 1;
  end loop;
  if requeued > 0 then
    update public.generation_jobs
       set status = 'processing', error = null, current_step = 'retrying', updated_at = now()
     where id = p_job_id;
    update public.stories set status = 'processing', updated_at = now() where id = job.story_id;
    perform internal.dispatch_page_tasks();
  end if;
  return requeued;
end;
$$;
comment on function internal.requeue_failed_pages(uuid) is 'Re-queues every failed page of a job with fresh attempts and reopens the job (an operator''s retry: no parent limits); returns how many.';

-- ---------------------------------------------------------------------------------------------------------
-- A regenerated page of a bought book: redrawn at preview size, then printed, then the book made again
-- ---------------------------------------------------------------------------------------------------------
-- ops.regenerate_page redraws a page under the story's preview job, so that it gets a new preview-size render
-- (the character anchor, when it is the cover) and a new watermarked preview, exactly as a preview is drawn.
-- When that job completes again in a bought story, the pages it redrew are brought to print resolution under
-- the print job, as start_print_job brings a drawn page (upscaled, or drawn again at print size).
create function internal.print_regenerated_pages()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  print_job public.generation_jobs;
  page record;
  moved integer := 0;
begin
  -- Every page of a printed story sits under its print job, so a drawn page under the preview job is one an
  -- operator had redrawn. Only for a book still bought: a print job that had completed stays completed when its
  -- order is cancelled afterwards.
  select j.* into print_job from public.generation_jobs j
   where j.story_id = new.story_id and j.kind = 'print' and j.status <> 'cancelled'
     and exists (select 1 from public.orders o where o.story_id = new.story_id and o.status = 'paid')
     for update of j;
  if not found then
    return null;
  end if;
  for page in
    select p.id from public.story_pages p where p.job_id = new.id and p.status = 'done' order by p.page_number
  loop
    update public.story_pages set status = 'pending', attempts = 0, last_error = null where id = page.id;
    perform internal.enqueue_page(page.id, print_job.id);
    moved := moved + 1;
  end loop;
  if moved > 0 then
    -- The story itself stays completed: its book is still there until the new one replaces it.
    update public.generation_jobs
       set status = 'processing', pages_completed = greatest(pages_completed - moved, 0), completed_at = null,
           error = null, current_step = 'preparing the book for print', updated_at = now()
     where id = print_job.id;
    perform internal.dispatch_page_tasks();
  end if;
  return null;
end;
$$;

create trigger generation_jobs_print_regenerated_pages
  after update of status on public.generation_jobs
  for each row
  when (new.kind = 'preview' and new.status = 'completed' and old.status is distinct from 'completed')
  execute function internal.print_regenerated_pages();

-- The book of a story whose print job has completed: queued for each paid order that has none and no task
-- waiting. Called when the print job completes (below), when an operator retries an order, and when a story
-- whose print job has completed is bought again (20261130180000).
create function internal.queue_missing_books(p_story_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  bought record;
  queued integer := 0;
begin
  for bought in
    select o.id from public.orders o
     where o.story_id = p_story_id and o.status = 'paid' and o.book_path is null
       and not exists (select 1 from pgmq.q_book_tasks t where t.message ->> 'order_id' = o.id::text)
       for update of o
  loop
    perform pgmq.send('book_tasks', jsonb_build_object('order_id', bought.id));
    queued := queued + 1;
  end loop;
  if queued > 0 then
    perform internal.dispatch_delivery_tasks();
  end if;
  return queued;
end;
$$;
comment on function internal.queue_missing_books(uuid) is 'Queues the book of each paid order of the story that has no book and no book task waiting; returns how many. Once its print job has completed.';

-- A print job completes a second time only after a regeneration: its order already has a book. The book's path
-- is forgotten first, so the new book is queued and kept as a first one is; the book-worker overwrites the same
-- file. Until it is kept, the link answers 409 book_not_ready (try again in a minute) rather than 410.
create or replace function internal.queue_book_of_completed_print()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.orders
     set book_path = null, book_bytes = null, book_pages = null, book_ready_at = null, book_error = null,
         updated_at = now()
   where story_id = new.story_id and status = 'paid' and book_path is not null;
  perform internal.queue_missing_books(new.story_id);
  return null;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- ops.retry_order
-- ---------------------------------------------------------------------------------------------------------
create function ops.retry_order(p_order_id uuid)
returns jsonb
language plpgsql
security definer -- the service role cannot touch schema internal; this is its one way to retry an order
set search_path = ''
as $$
declare
  v_story_id uuid;
  bought public.orders;
  print_job public.generation_jobs;
  held uuid;
  failed_job record;
  requeued integer := 0;
  email internal.email_outbox;
  outcome jsonb;
begin
  -- Locked as a completing print page and a cancellation lock them: the print job, then the order.
  select o.story_id into v_story_id from public.orders o where o.id = p_order_id;
  perform 1 from public.generation_jobs j where j.story_id = v_story_id and j.kind = 'print' for update;
  select * into bought from public.orders where id = p_order_id for update;
  if not found then
    raise exception 'order % does not exist', p_order_id using errcode = 'TC404';
  end if;
  if bought.status = 'cancelled' then
    raise exception 'order % was cancelled: nothing is retried for it', p_order_id
      using errcode = 'TC409', hint = 'a cancelled order is never printed, assembled or emailed';
  end if;
  if bought.story_id is null then
    raise exception 'order % has no story: it named no usable preview, or its parent''s data was erased', p_order_id
      using errcode = 'TC409',
            hint = 'its orders/paid event in internal.shopify_events says which preview it named';
  end if;

  -- 1. The pages. A page held for review is the operator's decision, not a retry.
  select p.id into held
    from public.story_pages p join public.generation_jobs j on j.id = p.job_id
   where p.story_id = bought.story_id and p.status = 'flagged' and j.status <> 'cancelled'
   order by p.page_number limit 1;
  if held is not null then
    raise exception 'a page of order %''s book is held for review', p_order_id
      using errcode = 'TC409', hint = format('review it, then: select internal.release_flagged_page(%L);', held);
  end if;
  for failed_job in
    select j.id from public.generation_jobs j
     where j.story_id = bought.story_id and j.status = 'failed'
       and exists (select 1 from public.story_pages p where p.job_id = j.id and p.status = 'failed')
     order by j.kind
  loop
    requeued := requeued + internal.requeue_failed_pages(failed_job.id);
  end loop;
  if requeued > 0 then
    outcome := jsonb_build_object('order_id', p_order_id, 'step', 'pages', 'pages_requeued', requeued);
    perform internal.record_operator_action('retry_order', p_order_id, bought.story_id, null, null, outcome);
    return outcome;
  end if;

  select * into print_job from public.generation_jobs
   where story_id = bought.story_id and kind = 'print' and status <> 'cancelled';
  if not found then
    -- What the start-pending-prints cron does each minute; it refuses (TC409) while the preview is drawn.
    outcome := jsonb_build_object('order_id', p_order_id, 'step', 'print_started',
                                  'print_job_id', internal.start_print_job(bought.story_id));
    perform internal.record_operator_action('retry_order', p_order_id, bought.story_id, null, null, outcome);
    return outcome;
  end if;
  if print_job.status <> 'completed' then
    raise exception 'the print job of order % is % (% of % pages done) and no page of it has failed', p_order_id,
      print_job.status, print_job.pages_completed, print_job.total_pages
      using errcode = 'TC409', hint = 'select * from ops.stuck_work(); lists it when it stops moving';
  end if;

  -- 2. The book.
  if bought.book_path is null then
    if bought.book_ready_at is not null then
      raise exception 'the book of order % was deleted (its download period ended, or its data was erased)',
        p_order_id using errcode = 'TC409', hint = 'nothing is retried for a deleted book';
    end if;
    -- Failed for good (book_error), or its task is gone: a new task, with fresh attempts.
    update public.orders set book_error = null, updated_at = now() where id = p_order_id;
    if internal.queue_missing_books(bought.story_id) = 0 then
      raise exception 'the book of order % is being assembled: nothing has failed', p_order_id
        using errcode = 'TC409', hint = 'select * from ops.stuck_work(); lists it when it stops moving';
    end if;
    outcome := jsonb_build_object('order_id', p_order_id, 'step', 'book',
                                  'previous_error', bought.book_error is not null);
    perform internal.record_operator_action('retry_order', p_order_id, bought.story_id, null, null, outcome);
    return outcome;
  end if;

  -- 3. The email: its newest send.
  select * into email from internal.email_outbox e
   where e.order_id = p_order_id and e.kind = 'book_ready'
   order by e.send_number desc limit 1;
  if email.id is not null and email.status = 'sent' then
    raise exception 'order % was delivered: its email was sent at %', p_order_id, email.sent_at
      using errcode = 'TC409', hint = format('to send it again: select ops.resend_book_email(%L);', p_order_id);
  end if;
  if bought.customer_email is null then
    raise exception 'order % has no e-mail address any more (erased or redacted)', p_order_id
      using errcode = 'TC409', hint = 'nothing can be emailed for it';
  end if;
  if email.id is null then
    email := internal.queue_book_email(p_order_id);
  elsif email.status = 'failed' then
    if email.last_error like 'idempotency_conflict%' then
      raise exception 'the email of order % failed on an idempotency conflict: Resend may have sent it', p_order_id
        using errcode = 'TC409',
              hint = format('to send a new copy under a new key: select ops.resend_book_email(%L);', p_order_id);
    end if;
    -- Sent again under the same key: were the first to have gone after all, Resend would not send it twice
    -- (within its 24 hours).
    update internal.email_outbox set status = 'queued', attempts = 0, last_error = null where id = email.id;
    perform pgmq.send('email_tasks', jsonb_build_object('email_id', email.id));
    perform internal.dispatch_delivery_tasks();
  elsif exists (select 1 from pgmq.q_email_tasks q where q.message ->> 'email_id' = email.id::text) then
    raise exception 'the email of order % is being sent (% attempts so far): nothing has failed', p_order_id,
      email.attempts
      using errcode = 'TC409', hint = 'select * from ops.stuck_work(); lists it when it stops moving';
  else
    -- Queued, but its task is gone.
    perform pgmq.send('email_tasks', jsonb_build_object('email_id', email.id));
    perform internal.dispatch_delivery_tasks();
  end if;
  outcome := jsonb_build_object('order_id', p_order_id, 'step', 'email', 'email_id', email.id,
                                'idempotency_key', email.idempotency_key);
  perform internal.record_operator_action('retry_order', p_order_id, bought.story_id, null, null, outcome);
  return outcome;
end;
$$;
comment on function ops.retry_order(uuid) is $$Retries the first failed step of a paid order, in the pipeline's order, and says which in its answer:
  {"step": "pages", "pages_requeued": n}   failed pages of its story (preview or print) re-queued with fresh attempts (no parent limits)
  {"step": "print_started"}               the print job started, if it never did (TC409 while the preview is drawn)
  {"step": "book"}                         the book assembly queued again (after orders.book_error, or a lost task)
  {"step": "email", "idempotency_key": k}  the failed email queued again under its own key (Resend never sends one key twice)
Refuses with TC409: a cancelled order; an order with no story; a page held for review (hint: internal.release_flagged_page); work in progress (nothing failed); a deleted book; a delivered order (hint: ops.resend_book_email); an email that failed on an idempotency conflict (hint: ops.resend_book_email); an order with no address. TC404: no such order. Recorded in internal.operator_actions.$$;

-- ---------------------------------------------------------------------------------------------------------
-- ops.resend_book_email
-- ---------------------------------------------------------------------------------------------------------
create function ops.resend_book_email(p_order_id uuid)
returns jsonb
language plpgsql
security definer -- the service role cannot touch schema internal; this is its one way to resend an email
set search_path = ''
as $$
declare
  bought public.orders;
  email internal.email_outbox;
  outcome jsonb;
begin
  select * into bought from public.orders where id = p_order_id for update;
  if not found then
    raise exception 'order % does not exist', p_order_id using errcode = 'TC404';
  end if;
  if bought.status = 'cancelled' then
    raise exception 'order % was cancelled: its book is not sent', p_order_id using errcode = 'TC409';
  end if;
  if bought.book_path is null then
    if bought.book_ready_at is not null then
      raise exception 'the book of order % was deleted (its download period ended, or its data was erased)',
        p_order_id using errcode = 'TC409', hint = 'there is no book to send';
    end if;
    raise exception 'order % has no book yet', p_order_id
      using errcode = 'TC409', hint = format('it is emailed once assembled; if it failed: select ops.retry_order(%L);',
                                             p_order_id);
  end if;
  if bought.download_expires_at <= now() then
    raise exception 'the download period of order % ended at %', p_order_id, bought.download_expires_at
      using errcode = 'TC409', hint = 'its link no longer works';
  end if;
  if bought.customer_email is null then
    raise exception 'order % has no e-mail address any more (erased or redacted)', p_order_id
      using errcode = 'TC409', hint = 'nothing can be emailed for it';
  end if;

  -- An email still waiting to go sends the same link: calling again before it went changes nothing.
  select * into email from internal.email_outbox e
   where e.order_id = p_order_id and e.kind = 'book_ready' and e.status = 'queued'
   order by e.send_number desc limit 1;
  if email.id is not null then
    return jsonb_build_object('order_id', p_order_id, 'email_id', email.id, 'idempotency_key',
                              email.idempotency_key, 'already_queued', true);
  end if;
  email := internal.queue_book_email(p_order_id);
  outcome := jsonb_build_object('order_id', p_order_id, 'email_id', email.id, 'idempotency_key',
                                email.idempotency_key, 'already_queued', false);
  perform internal.record_operator_action('resend_book_email', p_order_id, bought.story_id, null, null, outcome);
  return outcome;
end;
$$;
comment on function ops.resend_book_email(uuid) is $$Emails the book of an order again, with its download link (the same 30-day period), as a new outbox row under its own idempotency key book-ready/<order id>/resend-<n>, so Resend sends it even within 24 hours of the first. The parent may receive two copies: use it when they say the first never arrived, or after ops.retry_order refused an idempotency conflict.
Answers {"email_id", "idempotency_key", "already_queued"}; a call while an email of the order is still waiting returns that one (already_queued: true) and queues nothing.
Refuses with TC409: a cancelled order, no book yet (hint: ops.retry_order), a deleted book, an ended download period, no address left. TC404: no such order. Recorded in internal.operator_actions.$$;

-- ---------------------------------------------------------------------------------------------------------
-- ops.regenerate_page
-- ---------------------------------------------------------------------------------------------------------
create function ops.regenerate_page(p_page_id uuid, p_reason text)
returns jsonb
language plpgsql
security definer -- the service role cannot touch schema internal; this is its one way to redraw a page
set search_path = ''
as $$
declare
  story public.stories;
  page public.story_pages;
  busy public.story_pages;
  print_job public.generation_jobs;
  bought public.orders;
  preview_job_id uuid;
  allowed smallint;
  used integer;
  new_seed bigint;
  outcome jsonb;
begin
  if p_reason is null or btrim(p_reason) = '' or char_length(p_reason) > 500 then
    raise exception 'regenerating page % needs a reason of 1 to 500 characters', p_page_id
      using errcode = '22023',
            hint = 'a ticket number and the complaint, never a name: ''ticket 4711: the face does not match''';
  end if;
  -- The story first, as start_print_job locks it: one regeneration of a story at a time, so the budget holds.
  select s.* into story from public.stories s
   where s.id = (select p.story_id from public.story_pages p where p.id = p_page_id)
     for update;
  if not found then
    raise exception 'page % does not exist', p_page_id using errcode = 'TC404';
  end if;
  select * into page from public.story_pages where id = p_page_id for update;
  if story.status = 'expired' then
    raise exception 'the story of page % expired: its pictures were deleted', p_page_id using errcode = 'TC409';
  end if;
  if page.status <> 'done' then
    raise exception 'page % is %: only a drawn page is regenerated', p_page_id, page.status
      using errcode = 'TC409',
            hint = case page.status
              when 'pending' then 'it was never drawn: a locked page is drawn when the book is bought'
              when 'failed'
                then 'retry it instead: the parent''s retry for a preview, ops.retry_order for a bought book'
              when 'flagged' then format('release it instead: select internal.release_flagged_page(%L);', p_page_id)
              else 'it is being drawn now; call again once it is done'
            end;
  end if;
  select * into busy from public.story_pages p
   where p.story_id = story.id and p.status in ('queued', 'generating', 'failed', 'flagged')
   order by p.page_number limit 1;
  if found then
    raise exception 'story % is busy: page % (%) is %', story.id, busy.page_number, busy.id, busy.status
      using errcode = 'TC409',
            hint = 'call again once the story''s other work is finished; ops.stuck_work lists what is stuck';
  end if;

  -- A bought book must have its book, which is then made again.
  select * into print_job from public.generation_jobs
   where story_id = story.id and kind = 'print' and status <> 'cancelled';
  if found then
    select * into bought from public.orders where story_id = story.id and status = 'paid';
    if bought.id is not null and bought.book_path is null then
      raise exception 'the book of order % %', bought.id,
        case when bought.book_error is not null then 'could not be assembled'
             when bought.book_ready_at is not null then 'was deleted'
             else 'is being assembled' end
        using errcode = 'TC409',
              hint = case
                when bought.book_error is not null then format('retry it first: select ops.retry_order(%L);', bought.id)
                when bought.book_ready_at is not null then 'a deleted book is not made again'
                else 'call again once it is ready' end;
    end if;
    if bought.download_expires_at <= now() then
      raise exception 'the download period of order % ended at %', bought.id, bought.download_expires_at
        using errcode = 'TC409', hint = 'a book past its download period is not made again';
    end if;
  end if;

  select o.max_page_regenerations_per_story into allowed from internal.operator_settings o;
  select count(*) into used from internal.operator_actions a
   where a.story_id = story.id and a.action = 'regenerate_page';
  if used >= allowed then
    raise exception 'story % has used its % page regenerations', story.id, allowed
      using errcode = 'TC429',
            hint = 'the budget is internal.operator_settings.max_page_regenerations_per_story, '
                   || 'the same for every story';
  end if;

  -- A new seed, deterministic per regeneration, so the page is drawn anew (the same seed draws the same scene)
  -- and a retry of this regeneration draws the same new scene.
  new_seed := pg_catalog.hashtextextended(
                story.id::text || ':' || page.page_number || ':regeneration:' || (used + 1), 0
              ) & 2147483647;
  update public.story_pages
     set status = 'pending', attempts = 0, last_error = null, seed = new_seed, updated_at = now()
   where id = p_page_id;
  -- Every other page of the story is done (it is not busy), so the reopened job waits for this one only.
  update public.generation_jobs
     set status = 'processing', pages_completed = total_pages - 1, error = null, completed_at = null,
         current_step = 'redrawing a page', updated_at = now()
   where story_id = story.id and kind = 'preview'
  returning id into preview_job_id;
  update public.stories set status = 'processing', updated_at = now() where id = story.id;
  perform internal.enqueue_page(p_page_id, preview_job_id);
  perform internal.dispatch_page_tasks();

  outcome := jsonb_build_object(
    'page_id', p_page_id, 'story_id', story.id, 'page_number', page.page_number, 'order_id', bought.id,
    'book_made_again', bought.id is not null, 'regenerations_used', used + 1, 'regenerations_allowed', allowed
  );
  perform internal.record_operator_action('regenerate_page', bought.id, story.id, p_page_id, p_reason, outcome);
  return outcome;
end;
$$;
comment on function ops.regenerate_page(uuid, text) is $$Redraws one drawn page with a new seed (a new picture), within internal.operator_settings.max_page_regenerations_per_story per story (3 by default; every page counts). The reason (required, no names) is kept in internal.operator_actions.
What happens: the page is drawn again at preview size under the story's preview job (new watermarked preview; a redrawn cover becomes the character anchor for pages drawn later, while the other pages keep their pictures). For a bought book it then goes on by itself: the page is brought to print resolution under the print job, the book is assembled again (the link answers 409 book_not_ready for the minute this takes, then serves the new book with a new 30-day period) and emailed again under key book-ready/<order id>/resend-<n>.
Answers {"page_id", "story_id", "page_number", "order_id", "book_made_again", "regenerations_used", "regenerations_allowed"}.
Refuses with TC409: an expired story; a page not drawn (pending, failed, flagged, being drawn; the hint says what to do instead); a story with other work in progress; a bought book not assembled, failed or deleted, or past its download period. TC429: the budget is spent. TC404: no such page. 22023: no reason.$$;

-- The code of a recorded error ('code: detail'): stuck_work and the metrics name failures by it.
create function internal.failure_code(p_error text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- The pipeline records 'code: detail' (fail_page_attempt, fail_email, the book-worker). Only the code is a label: the detail
  -- is free text, unbounded and possibly personal.
  select coalesce(substring(p_error from '^([a-z][a-z0-9_]{0,62}):'), 'unclassified')
$$;
comment on function internal.failure_code(text) is 'The snake_case code of a recorded error (''provider_error: …'' → provider_error), else unclassified.';

-- ---------------------------------------------------------------------------------------------------------
-- ops.stuck_work
-- ---------------------------------------------------------------------------------------------------------
create function ops.stuck_work(p_older_than interval default interval '15 minutes')
returns table (
  kind text,
  id text,
  story_id uuid,
  order_id uuid,
  status text,
  since timestamptz,
  detail text
)
language plpgsql
stable
security definer -- the service role cannot read schema internal or the queues; this shows it ids and states only
set search_path = ''
as $$
declare
  threshold timestamptz;
begin
  if p_older_than is null or p_older_than < interval '0' then
    raise exception 'older_than must be a positive interval, e.g. interval ''15 minutes''' using errcode = '22023';
  end if;
  threshold := now() - p_older_than;
  -- Errors are quoted by their code only (the text before the colon): details can quote a provider.
  return query
  with paid as (
    select o.id as order_id, o.story_id from public.orders o where o.status = 'paid' and o.story_id is not null
  ),
  latest_email as (
    select distinct on (e.order_id) e.*
      from internal.email_outbox e
     where e.kind = 'book_ready'
     order by e.order_id, e.send_number desc
  )
  -- A page whose attempt died: its lease ran out and no delivery has taken it over yet.
  select 'page_lease_expired', p.id::text, p.story_id, paid.order_id, p.status::text, r.lease_expires_at,
         format('page %s, attempt %s: its lease ended and no worker took it over', p.page_number, p.attempts)
    from public.story_pages p
    join internal.page_renders r on r.page_id = p.id
    left join paid on paid.story_id = p.story_id
   where p.status = 'generating' and r.lease_expires_at < now()
  union all
  select 'page_queued_too_long', p.id::text, p.story_id, paid.order_id, p.status::text, p.updated_at,
         format('page %s, attempt %s%s', p.page_number, p.attempts,
                coalesce('; last error: ' || internal.failure_code(p.last_error), ''))
    from public.story_pages p
    left join paid on paid.story_id = p.story_id
   where p.status = 'queued' and p.updated_at < threshold
  union all
  select 'page_flagged', p.id::text, p.story_id, paid.order_id, p.status::text, p.updated_at,
         format('page %s held for review; once reviewed: select internal.release_flagged_page(%L);',
                p.page_number, p.id)
    from public.story_pages p
    join public.generation_jobs j on j.id = p.job_id
    left join paid on paid.story_id = p.story_id
   where p.status = 'flagged' and j.status <> 'cancelled'
  union all
  select 'job_not_progressing', j.id::text, j.story_id, paid.order_id, j.status::text, j.updated_at,
         format('%s job, %s of %s pages, %s', j.kind, j.pages_completed, j.total_pages, j.current_step)
    from public.generation_jobs j
    left join paid on paid.story_id = j.story_id
   where j.status in ('queued', 'processing') and j.updated_at < threshold
  union all
  select 'provider_call_waiting', c.id::text, c.story_id, paid.order_id, c.status::text, c.submitted_at,
         format('%s %s of page %s (%s, request %s), last asked about %s', c.provider, c.stage, c.page_number,
                c.model, c.request_id, coalesce(c.last_checked_at::text, 'never'))
    from internal.provider_calls c
    left join paid on paid.story_id = c.story_id
   where c.status in ('submitted', 'finishing') and c.submitted_at < threshold
  union all
  -- A failed book is listed at once; an order still on its way, once it is older than the threshold.
  select 'order_without_book', o.id::text, o.story_id, o.id,
         case when o.book_error is not null then 'book_failed'
              when j.id is null then 'print_not_started'
              when j.status = 'completed' then 'assembling'
              else 'print_' || j.status end,
         o.paid_at,
         case when o.book_error is not null
                then format('the book could not be assembled (orders.book_error): select ops.retry_order(%L);', o.id)
              when j.id is null
                then 'no print job yet: the preview is still drawn, or one of its pages is held for review'
              when j.status = 'completed'
                then case when exists (select 1 from pgmq.q_book_tasks q where q.message ->> 'order_id' = o.id::text)
                          then 'printed; its book task is queued'
                          else format('printed, but no book task is queued: select ops.retry_order(%L);', o.id) end
              else format('print job %s: %s of %s pages', j.status, j.pages_completed, j.total_pages) end
    from public.orders o
    left join public.generation_jobs j on j.story_id = o.story_id and j.kind = 'print' and j.status <> 'cancelled'
   where o.status = 'paid' and o.story_id is not null and o.book_path is null and o.book_ready_at is null
     and (o.book_error is not null or o.paid_at < threshold)
  union all
  -- Paid for, but naming no usable preview (see internal.shopify_events): a refund or a match in Shopify.
  select 'order_without_preview', o.id::text, null::uuid, o.id, ev.outcome, o.paid_at,
         format('orders/paid named no usable preview (%s); shopify order %s', ev.outcome, o.shopify_order_id)
    from public.orders o
    join internal.shopify_events ev
      on ev.topic = 'orders/paid' and ev.shop_domain = o.shop_domain and ev.subject = o.shopify_order_gid
   where o.status = 'paid' and o.story_id is null
     and ev.outcome in ('no_preview', 'unknown_preview', 'preview_expired', 'already_bought')
  union all
  select 'book_without_email', o.id::text, o.story_id, o.id, coalesce(e.status, 'none'),
         coalesce(e.created_at, o.book_ready_at),
         case when e.id is null then format('no email was queued: select ops.retry_order(%L);', o.id)
              else format('email %s (%s), %s attempts%s', e.id, e.idempotency_key, e.attempts,
                          coalesce('; last error: ' || internal.failure_code(e.last_error), '')) end
    from public.orders o
    left join latest_email e on e.order_id = o.id
   where o.status = 'paid' and o.book_path is not null
     and ((e.id is null and o.book_ready_at < threshold) or (e.status = 'queued' and e.created_at < threshold))
  union all
  select 'email_failed', e.id::text, o.story_id, o.id, e.status, e.created_at,
         format('%s after %s attempts, last error: %s; select ops.retry_order(%L);', e.idempotency_key, e.attempts,
                coalesce(internal.failure_code(e.last_error), 'none'), o.id)
    from latest_email e
    join public.orders o on o.id = e.order_id
   where e.status = 'failed' and o.status = 'paid'
  union all
  select 'queue_message_old', 'page_tasks/' || q.msg_id, p.story_id, paid.order_id,
         case when q.vt > now() then 'invisible' else 'visible' end, q.enqueued_at,
         format('page task read %s times, visible again at %s', q.read_ct, q.vt)
    from pgmq.q_page_tasks q
    left join public.story_pages p on p.id::text = q.message ->> 'page_id'
    left join paid on paid.story_id = p.story_id
   where q.enqueued_at < threshold
  union all
  select 'queue_message_old', 'book_tasks/' || q.msg_id, o.story_id, o.id,
         case when q.vt > now() then 'invisible' else 'visible' end, q.enqueued_at,
         format('book task read %s times, visible again at %s', q.read_ct, q.vt)
    from pgmq.q_book_tasks q
    left join public.orders o on o.id::text = q.message ->> 'order_id'
   where q.enqueued_at < threshold
  union all
  select 'queue_message_old', 'email_tasks/' || q.msg_id, o.story_id, o.id,
         case when q.vt > now() then 'invisible' else 'visible' end, q.enqueued_at,
         format('email task read %s times, visible again at %s', q.read_ct, q.vt)
    from pgmq.q_email_tasks q
    left join internal.email_outbox e on e.id::text = q.message ->> 'email_id'
    left join public.orders o on o.id = e.order_id
   where q.enqueued_at < threshold
  order by 6, 1, 2;
end;
$$;
comment on function ops.stuck_work(interval) is $$What is not moving, oldest first, ids and states only (no personal data):
  page_lease_expired      a page whose attempt died (lease ended, not taken over)
  page_queued_too_long    a page queued longer than older_than (backoff, a provider's Retry-After, or no dispatch)
  page_flagged            a page held for review (detail: the release command)
  job_not_progressing     a generation job with no progress for older_than
  provider_call_waiting   an image request unanswered for older_than (the sweep asks at 5 min, cancels at 30)
  order_without_book      a paid order with no book: failed at once, otherwise after older_than (status: where it is)
  order_without_preview   a paid order that named no usable preview (refund or match it in Shopify)
  book_without_email      a book whose email was never queued, or waits longer than older_than
  email_failed            a book-ready email that failed for good (detail: the retry command)
  queue_message_old       a page, book or email task enqueued longer ago than older_than
E.g. select * from ops.stuck_work(); select * from ops.stuck_work(interval '1 hour') where kind <> 'page_flagged';$$;

-- The service role calls the ops functions; nobody else but their owner. The plumbing stays with postgres.
revoke all on function ops.retry_order(uuid), ops.resend_book_email(uuid), ops.regenerate_page(uuid, text),
  ops.stuck_work(interval)
  from public, anon, authenticated;
grant execute on function ops.retry_order(uuid) to service_role;
grant execute on function ops.resend_book_email(uuid) to service_role;
grant execute on function ops.regenerate_page(uuid, text) to service_role;
grant execute on function ops.stuck_work(interval) to service_role;
revoke all on all functions in schema internal from public;
