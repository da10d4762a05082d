-- Delivering a bought book: once its print job completes, the book is assembled (book-worker), then the parent
-- is emailed a signed download link (email-worker). Both are queue tasks dispatched through pg_net like the page
-- tasks, with a pg_cron safety net.
--
--   print job completed ──trigger──▶ book_tasks ──▶ book-worker: PDF → books/<user>/<order>.pdf
--     ──▶ internal.complete_book: order has its book, an email_outbox row, email_tasks
--   email_tasks ──▶ email-worker: render, send (Resend, or the outbox stand-in) with key book-ready/<order id>
--     ──▶ internal.complete_email: sent, order and story delivered
--   a cancelled order gets neither: complete_book checks it under the order's lock, and the email-worker before
--   it sends.

alter table public.orders
  add column book_path text,
  add column book_bytes bigint,
  add column book_pages smallint,
  add column book_ready_at timestamptz,
  -- The emailed link works until then; 30 days after the book is ready.
  add column download_expires_at timestamptz,
  add column delivered_at timestamptz,
  -- Why the book could not be assembled, after its last attempt: for an operator.
  add column book_error text;

-- The buyer reads their order, but not the operator's note on why its book failed.
grant select (book_pages, book_ready_at, download_expires_at, delivered_at) on public.orders to authenticated;

select pgmq.create('book_tasks');
select pgmq.create('email_tasks');

create table internal.delivery_settings (
  singleton boolean primary key default true constraint one_settings_row check (singleton),
  download_days integer not null default 30 constraint download_days_positive check (download_days > 0),
  -- The book-worker's budget: the visibility timeout of its task.
  book_timeout_seconds integer not null default 150,
  max_book_attempts smallint not null default 5,
  email_timeout_seconds integer not null default 60,
  max_email_attempts smallint not null default 8,
  -- Rendered emails are kept this long for the dev console and support, then their bodies are cleared.
  outbox_retention_days integer not null default 30,
  -- A book's PDF (the child's likeness on every page) is deleted this long after its download period ends; a
  -- cancelled order's at once.
  book_grace_days integer not null default 7 constraint book_grace_not_negative check (book_grace_days >= 0)
);
insert into internal.delivery_settings default values;
alter table internal.delivery_settings enable row level security;

create table internal.email_outbox (
  id uuid primary key default gen_random_uuid(),
  order_id uuid references public.orders (id) on delete cascade,
  kind text not null constraint email_kind check (kind in ('book_ready')),
  idempotency_key text not null constraint email_idempotency_is_unique unique,
  status text not null default 'queued' constraint email_status check (status in ('queued', 'sent', 'failed')),
  -- The rendered message, written by the email-worker before sending: what the parent receives, and what the
  -- dev console shows when the outbox stand-in is the sender. Personal data: cleared after the retention days.
  to_address text,
  subject text,
  html text,
  text_body text,
  sender text,
  provider_message_id text,
  attempts smallint not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  constraint one_email_per_order_and_kind unique (order_id, kind)
);
alter table internal.email_outbox enable row level security;
comment on table internal.email_outbox is 'Every email we send, keyed by its Resend idempotency key; the offline default sender delivers here only.';

-- ---------------------------------------------------------------------------------------------------------
-- Dispatch (as dispatch_page_tasks does for pages)
-- ---------------------------------------------------------------------------------------------------------
create function internal.dispatch_delivery_tasks()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  settings internal.delivery_settings;
  task record;
  dispatched integer := 0;
begin
  select * into settings from internal.delivery_settings;
  -- A book task handed out max_book_attempts times without an answer (a worker killed by its limits never
  -- reports) stops here, and the order says so for an operator.
  for task in
    select msg_id, message from pgmq.q_book_tasks where read_ct >= settings.max_book_attempts and vt <= now()
  loop
    update public.orders
       set book_error = coalesce(book_error, 'the book could not be assembled'), updated_at = now()
     where id = (task.message ->> 'order_id')::uuid;
    perform pgmq.archive('book_tasks', task.msg_id);
  end loop;

  for task in
    select 'book-worker' as worker, msg_id, read_ct, message
      from pgmq.read('book_tasks', settings.book_timeout_seconds, 4)
    union all
    select 'email-worker', msg_id, read_ct, message from pgmq.read('email_tasks', settings.email_timeout_seconds, 10)
  loop
    perform internal.call_function(
      task.worker,
      task.message || jsonb_build_object(
        'msg_id', task.msg_id,
        -- The book-worker records a failure as final on the last attempt.
        'last_attempt', task.read_ct >= settings.max_book_attempts
      ),
      1000 * case task.worker when 'book-worker' then settings.book_timeout_seconds
                              else settings.email_timeout_seconds end
    );
    dispatched := dispatched + 1;
  end loop;
  return dispatched;
end;
$$;
comment on function internal.dispatch_delivery_tasks() is 'Hands visible book and email tasks to their worker functions; at enqueue time and by cron.';

create function internal.queue_book_of_completed_print()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  bought public.orders;
begin
  select * into bought from public.orders o where o.story_id = new.story_id and o.status = 'paid' for update;
  if found and bought.book_path is null then
    perform pgmq.send('book_tasks', jsonb_build_object('order_id', bought.id));
    perform internal.dispatch_delivery_tasks();
  end if;
  return null;
end;
$$;

create trigger generation_jobs_queue_book
  after update of status on public.generation_jobs
  for each row
  when (new.kind = 'print' and new.status = 'completed' and old.status is distinct from 'completed')
  execute function internal.queue_book_of_completed_print();

-- ---------------------------------------------------------------------------------------------------------
-- The book
-- ---------------------------------------------------------------------------------------------------------
create function internal.book_contents(p_order_id uuid)
returns table (
  order_status public.order_status,
  user_id uuid,
  title text,
  child_name text,
  dedication text,
  page_number smallint,
  body_text text,
  print_path text,
  print_width integer,
  print_height integer
)
language sql
stable
set search_path = ''
as $$
  select o.status, o.user_id, s.title, s.child_name, s.dedication,
         p.page_number, p.body_text, r.print_path, r.print_width, r.print_height
    from public.orders o
    join public.stories s on s.id = o.story_id
    join public.story_pages p on p.story_id = s.id
    join internal.page_renders r on r.page_id = p.id
   where o.id = p_order_id
   order by p.page_number
$$;
comment on function internal.book_contents(uuid) is 'What the book-worker assembles: the order''s story and each page''s print image.';

create function internal.complete_book(
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
  email_id uuid;
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
  insert into internal.email_outbox (order_id, kind, idempotency_key)
  values (p_order_id, 'book_ready', 'book-ready/' || p_order_id)
  on conflict (order_id, kind) do nothing
  returning id into email_id;
  if email_id is not null then
    perform pgmq.send('email_tasks', jsonb_build_object('email_id', email_id));
    perform internal.dispatch_delivery_tasks();
  end if;
  return true;
end;
$$;
comment on function internal.complete_book(uuid, bigint, text, bigint, smallint) is 'Keeps the assembled book of a paid order and queues its email, once; false (the caller deletes its PDF) when the order was cancelled or already has its book.';

create function internal.fail_book(p_order_id uuid, p_msg_id bigint, p_error text, p_final boolean)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_final then
    -- Left for an operator: the order says why, the task stays in the archive.
    update public.orders set book_error = p_error, updated_at = now() where id = p_order_id;
    perform pgmq.archive('book_tasks', p_msg_id);
  end if;
  -- Otherwise the task comes back when its visibility timeout passes.
end;
$$;
comment on function internal.fail_book(uuid, bigint, text, boolean) is 'A failed assembly: retried when the task''s visibility timeout passes, or after the last attempt recorded on the order for an operator.';

create function internal.drop_book_task(p_msg_id bigint)
returns void
language sql
set search_path = ''
as $$
  select pgmq.delete('book_tasks', p_msg_id);
$$;
comment on function internal.drop_book_task(bigint) is 'Drops a book task whose order no longer needs a book (cancelled, or already assembled).';

-- ---------------------------------------------------------------------------------------------------------
-- The email
-- ---------------------------------------------------------------------------------------------------------
create function internal.email_to_send(p_email_id uuid)
returns table (
  email_id uuid,
  status text,
  idempotency_key text,
  order_id uuid,
  order_status public.order_status,
  order_name text,
  to_address text,
  title text,
  child_name text,
  download_expires_at timestamptz
)
language sql
stable
set search_path = ''
as $$
  select e.id, e.status, e.idempotency_key, o.id, o.status, o.order_name, o.customer_email, s.title,
         s.child_name, o.download_expires_at
    from internal.email_outbox e
    join public.orders o on o.id = e.order_id
    left join public.stories s on s.id = o.story_id
   where e.id = p_email_id
$$;
comment on function internal.email_to_send(uuid) is 'What the email-worker renders and sends for one outbox row.';

create function internal.record_email_rendered(
  p_email_id uuid,
  p_to text,
  p_subject text,
  p_html text,
  p_text text,
  p_sender text
)
returns void
language sql
set search_path = ''
as $$
  update internal.email_outbox
     set to_address = p_to, subject = p_subject, html = p_html, text_body = p_text, sender = p_sender,
         attempts = attempts + 1
   where id = p_email_id and status = 'queued'
$$;
comment on function internal.record_email_rendered(uuid, text, text, text, text, text) is 'Keeps the rendered message in the outbox before it is sent, counting the attempt.';

create function internal.complete_email(p_email_id uuid, p_msg_id bigint, p_provider_message_id text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  sent internal.email_outbox;
begin
  update internal.email_outbox
     set status = 'sent', provider_message_id = p_provider_message_id, sent_at = now(), last_error = null
   where id = p_email_id and status = 'queued'
  returning * into sent;
  perform pgmq.delete('email_tasks', p_msg_id);
  if sent.id is not null then
    update public.orders set delivered_at = now(), updated_at = now() where id = sent.order_id;
    -- The photo's retention runs from delivery (internal.photo_retention).
    update public.stories s set delivered_at = now(), updated_at = now()
      from public.orders o where o.id = sent.order_id and s.id = o.story_id;
  end if;
end;
$$;
comment on function internal.complete_email(uuid, bigint, text) is 'Marks an email sent, and its order and story delivered (the photo''s retention runs from here).';

create function internal.fail_email(
  p_email_id uuid,
  p_msg_id bigint,
  p_error text,
  p_retryable boolean,
  p_retry_after_seconds integer default null
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  settings internal.delivery_settings;
  email internal.email_outbox;
begin
  select * into settings from internal.delivery_settings;
  select * into email from internal.email_outbox where id = p_email_id for update;
  if not found or email.status <> 'queued' then
    perform pgmq.delete('email_tasks', p_msg_id);
    return 'stale';
  end if;
  if p_retryable and email.attempts < settings.max_email_attempts then
    update internal.email_outbox set last_error = p_error where id = p_email_id;
    -- Backoff through the visibility timeout, honouring the provider's Retry-After; the same idempotency key
    -- goes with every retry.
    perform pgmq.set_vt('email_tasks', p_msg_id,
      coalesce(p_retry_after_seconds, least(3600, 30 * (2 ^ greatest(email.attempts - 1, 0))::integer)));
    return 'retrying';
  end if;
  -- Left for an operator: the outbox row says why, and the task stays in the archive.
  update internal.email_outbox set status = 'failed', last_error = p_error where id = p_email_id;
  perform pgmq.archive('email_tasks', p_msg_id);
  return 'failed';
end;
$$;
comment on function internal.fail_email(uuid, bigint, text, boolean, integer) is 'A failed send: retried with backoff (same idempotency key) while attempts remain and it is retryable; else the email is failed for an operator.';

create function internal.clear_old_outbox_bodies()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  cleared integer;
begin
  update internal.email_outbox e
     set to_address = null, subject = null, html = null, text_body = null
    from internal.delivery_settings d
   where e.created_at < now() - pg_catalog.make_interval(days => d.outbox_retention_days)
     and e.html is not null;
  get diagnostics cleared = row_count;
  return cleared;
end;
$$;
comment on function internal.clear_old_outbox_bodies() is 'Clears the address and bodies of emails older than the outbox retention (daily cron).';

-- The download the emailed link and the owner's app lead to.
create function internal.order_download(p_order_id uuid)
returns table (
  user_id uuid,
  status public.order_status,
  book_path text,
  book_ready_at timestamptz,
  download_expires_at timestamptz
)
language sql
stable
set search_path = ''
as $$
  select o.user_id, o.status, o.book_path, o.book_ready_at, o.download_expires_at
    from public.orders o where o.id = p_order_id
$$;
comment on function internal.order_download(uuid) is 'What the downloads function needs to answer for one order.';

-- An erasure (a parent's own, or a shop's redaction) also clears the emails sent about the user's orders.
create or replace function internal.anonymise_user_orders(p_user_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  anonymised integer;
begin
  update public.orders o set customer_email = null, updated_at = now()
   where o.user_id = p_user_id and o.customer_email is not null;
  get diagnostics anonymised = row_count;
  update internal.email_outbox e
     set to_address = null, subject = null, html = null, text_body = null
    from public.orders o
   where o.id = e.order_id and o.user_id = p_user_id and e.html is not null;
  -- The book's file goes with the erasure's files (books/<user>/…): its link then answers 410.
  update public.orders o set book_path = null, updated_at = now()
   where o.user_id = p_user_id and o.book_path is not null;
  -- Data exports answered earlier hold the same personal data.
  delete from internal.privacy_requests e
   using public.orders o
   where o.user_id = p_user_id and e.kind = 'data_request' and e.shop_domain = o.shop_domain
     and (e.shopify_customer_id = o.shopify_customer_id or o.shopify_order_id = any(e.shopify_order_ids));
  return anonymised;
end;
$$;

create function internal.books_due_for_deletion(p_limit integer)
returns table (order_id uuid, book_path text)
language sql
stable
set search_path = ''
as $$
  select o.id, o.book_path
    from public.orders o, internal.delivery_settings d
   where o.book_path is not null
     and (o.status = 'cancelled'
          or o.download_expires_at + pg_catalog.make_interval(days => d.book_grace_days) < now())
   order by o.download_expires_at
   limit p_limit
$$;
comment on function internal.books_due_for_deletion(integer) is 'Books whose download period (plus grace) has ended, or whose order was cancelled: maintenance deletes their files, then forgets them.';

create function internal.forget_books(p_order_ids uuid[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  forgotten integer;
begin
  -- Called after the files are removed; the link then answers 410 book_removed.
  update public.orders set book_path = null, updated_at = now()
   where id = any(p_order_ids) and book_path is not null;
  get diagnostics forgotten = row_count;
  return forgotten;
end;
$$;
comment on function internal.forget_books(uuid[]) is 'Forgets the paths of books whose files maintenance has removed.';

-- Called as postgres (the owner) by the functions and cron; no API role may execute them.
revoke all on all functions in schema internal from public;

select cron.schedule('dispatch-delivery-tasks', '10 seconds', $$ select internal.dispatch_delivery_tasks(); $$);
select cron.schedule('clear-old-outbox-bodies', '23 3 * * *', $$ select internal.clear_old_outbox_bodies(); $$);
select cron.schedule(
  'purge-books', '29 * * * *', $$ select internal.call_function('maintenance', '{"task": "purge_books"}', 120000); $$
);
