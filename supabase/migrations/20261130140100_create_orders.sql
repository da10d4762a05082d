-- Purchases from Shopify: the orders a parent reads (public, RLS), the record of every webhook we acted on,
-- and the privacy requests Shopify forwards (internal).
--
--   shopify-webhooks (HMAC verified) ──▶ internal.record_order_paid | record_order_cancelled
--                                        | record_data_request | record_redaction
--   record_order_paid:  one event per (topic, shop, order) ─▶ order row ─▶ story bought ─▶ print job
--                       (internal.start_print_job; a preview still being drawn or held for review is started by
--                       the start-pending-prints cron once it can be)
--   record_order_cancelled: order cancelled, print work stopped; arriving before the paid one, it wins
--   redactions: recorded here, carried out by maintenance {task: process_redactions} (files through the
--               Storage API, then rows)
--
-- Every function runs as its caller (postgres: the functions and cron).

create type public.order_status as enum ('paid', 'cancelled');

-- ---------------------------------------------------------------------------------------------------------
-- orders
-- ---------------------------------------------------------------------------------------------------------
create table public.orders (
  id uuid primary key default gen_random_uuid(),
  -- Null once the story is gone (erasure), or when the order named no usable preview.
  story_id uuid references public.stories (id) on delete set null,
  user_id uuid references auth.users (id) on delete set null,
  shop_domain text not null,
  -- Shopify's ids as strings, exactly: numeric order ids exceed 2^53.
  shopify_order_gid text not null constraint order_gid_format check (shopify_order_gid ~ '^gid://shopify/Order/\d+$'),
  shopify_order_id text not null constraint order_id_is_digits check (shopify_order_id ~ '^\d{1,20}$'),
  shopify_customer_id text constraint customer_id_is_digits check (shopify_customer_id ~ '^\d{1,20}$'),
  order_name text,
  is_test boolean not null default false,
  status public.order_status not null default 'paid',
  -- The buyer's address for the book-ready email; personal data, cleared by a redaction or an erasure.
  customer_email text,
  paid_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint order_is_unique_per_shop unique (shop_domain, shopify_order_gid)
);
create index orders_user_id_idx on public.orders (user_id);
create index orders_story_id_idx on public.orders (story_id);
create index orders_customer_idx on public.orders (shop_domain, shopify_customer_id);
comment on table public.orders is 'A paid (or cancelled) Shopify order for a story. The buyer reads their own.';

alter table public.orders enable row level security;
create policy "owners read their orders" on public.orders for select to authenticated
  using (user_id = (select auth.uid()));
-- Column by column: what the buyer may read of their order (later migrations add their columns).
revoke all on public.orders from anon, authenticated;
grant select (id, story_id, user_id, shop_domain, shopify_order_gid, shopify_order_id, shopify_customer_id,
              order_name, is_test, status, customer_email, paid_at, cancelled_at, cancel_reason, created_at,
              updated_at)
  on public.orders to authenticated;
grant all on public.orders to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- internal.shopify_events: one row per (topic, shop, subject), the audit trail and the idempotency key
-- ---------------------------------------------------------------------------------------------------------
create table internal.shopify_events (
  id bigint generated always as identity primary key,
  topic text not null,
  shop_domain text not null,
  -- The order's gid for order topics, the data request's id or the customer's id for compliance topics, the
  -- shop's domain for shop/redact.
  subject text not null,
  webhook_id text,
  event_id text,
  triggered_at timestamptz,
  api_version text,
  -- What we did: order_created, cancelled, cancelled_before_paid, paid_after_cancel, no_preview,
  -- unknown_preview, preview_expired, already_bought, data_request_recorded, redaction_recorded, unreadable.
  outcome text not null,
  -- For an operator: which preview id was named, and the like. Never an e-mail address.
  detail jsonb not null default '{}',
  received_at timestamptz not null default now(),
  constraint shopify_event_is_unique unique (topic, shop_domain, subject)
);
alter table internal.shopify_events enable row level security;
comment on table internal.shopify_events is 'Every Shopify webhook acted on, once per (topic, shop, subject): the audit trail, and what an operator looks at when an order named no usable preview.';

-- ---------------------------------------------------------------------------------------------------------
-- internal.privacy_requests: Shopify's compliance topics
-- ---------------------------------------------------------------------------------------------------------
create table internal.privacy_requests (
  id uuid primary key default gen_random_uuid(),
  kind text not null constraint privacy_request_kind check (kind in ('data_request', 'customer_redact', 'shop_redact')),
  shop_domain text not null,
  shopify_customer_id text,
  shopify_order_ids text[] not null default '{}',
  -- data_request: what we hold for the customer, for the shop to hand over.
  export jsonb,
  received_at timestamptz not null default now(),
  -- Redactions: set once maintenance has removed the files and rows.
  completed_at timestamptz,
  last_error text
);
create index privacy_requests_pending_idx on internal.privacy_requests (received_at)
  where completed_at is null and kind <> 'data_request';
alter table internal.privacy_requests enable row level security;
comment on table internal.privacy_requests is 'Shopify privacy requests: data exports (answered at once) and redactions (carried out by maintenance, within Shopify''s 30 days).';

alter table internal.deleted_data drop constraint deleted_data_reason;
alter table internal.deleted_data add constraint deleted_data_reason
  check (reason in ('preview_expired', 'book_delivered', 'never_used', 'erasure_requested', 'customer_redacted',
                    'shop_redacted'));

-- ---------------------------------------------------------------------------------------------------------
-- orders/paid and orders/cancelled
-- ---------------------------------------------------------------------------------------------------------
create function internal.record_shopify_event(
  p_topic text,
  p_shop text,
  p_subject text,
  p_headers jsonb,
  p_outcome text,
  p_detail jsonb default '{}'
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  -- Concurrent duplicates wait here on the unique index for the first to commit, then find it.
  insert into internal.shopify_events (
    topic, shop_domain, subject, webhook_id, event_id, triggered_at, api_version, outcome, detail
  ) values (
    p_topic, p_shop, p_subject, p_headers ->> 'webhook_id', p_headers ->> 'event_id',
    (p_headers ->> 'triggered_at')::timestamptz, p_headers ->> 'api_version', p_outcome, p_detail
  )
  on conflict (topic, shop_domain, subject) do nothing;
  return found;
end;
$$;
comment on function internal.record_shopify_event(text, text, text, jsonb, text, jsonb) is 'Records a webhook once per (topic, shop, subject); false for a duplicate.';

create function internal.start_pending_prints()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  pending record;
  started integer := 0;
begin
  for pending in
    select o.id, o.story_id from public.orders o
      join public.stories s on s.id = o.story_id
     -- Bought (purchased_at, set for order_created only): an order recorded for an operator never prints.
     where o.status = 'paid' and s.purchased_at is not null and s.status <> 'expired'
       and not exists (
         select 1 from public.generation_jobs j
          where j.story_id = o.story_id and j.kind = 'print' and j.status <> 'cancelled'
       )
     order by o.paid_at
       for update of o skip locked
  loop
    begin
      perform internal.start_print_job(pending.story_id);
      started := started + 1;
    exception
      when sqlstate 'TC409' then
        -- The preview is still being drawn, or a page is held for review: the next run tries again.
        null;
      when others then
        -- One order's problem must not hold the others up; the next run tries it again.
        raise warning 'print of order % could not start: %', pending.id, sqlerrm;
    end;
  end loop;
  return started;
end;
$$;
comment on function internal.start_pending_prints() is 'Starts the print job of every bought order that has none yet and can start; run by cron.';

create function internal.record_order_paid(
  p_shop text,
  p_order_gid text,
  p_order_id text,
  p_order_name text,
  p_is_test boolean,
  p_customer_id text,
  p_customer_email text,
  p_preview_id text,
  p_headers jsonb
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  story public.stories;
  preview_id uuid;
  v_outcome text;
  detail jsonb := jsonb_build_object('preview_id', p_preview_id, 'test', p_is_test);
begin
  -- Paid and cancelled notices of one order take turns, so that the second always sees the first.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_shop || '/' || p_order_gid, 0));
  -- One transaction for the event and its effects: a duplicate waits for the first, then changes nothing.
  if not internal.record_shopify_event('orders/paid', p_shop, p_order_gid, p_headers, 'pending', detail) then
    return 'duplicate';
  end if;

  if p_preview_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    preview_id := p_preview_id::uuid;
    select * into story from public.stories where id = preview_id for update;
  end if;

  if exists (
    select 1 from internal.shopify_events
     where topic = 'orders/cancelled' and shop_domain = p_shop and subject = p_order_gid
  ) then
    -- Cancelled before the paid notice arrived: the cancellation stands; the order is kept for the audit trail.
    v_outcome := 'paid_after_cancel';
  elsif p_preview_id is null then
    v_outcome := 'no_preview';
  elsif story.id is null then
    v_outcome := 'unknown_preview';
  elsif story.status = 'expired' then
    v_outcome := 'preview_expired';
  elsif exists (select 1 from public.orders o where o.story_id = story.id and o.status = 'paid') then
    v_outcome := 'already_bought';
  else
    v_outcome := 'order_created';
  end if;

  insert into public.orders (
    story_id, user_id, shop_domain, shopify_order_gid, shopify_order_id, shopify_customer_id, order_name,
    is_test, status, customer_email, paid_at, cancelled_at, cancel_reason
  ) values (
    -- The order names its story (and so its parent, whom a redaction covers) unless the story is someone
    -- else's book already.
    case when v_outcome <> 'already_bought' then story.id end,
    case when v_outcome <> 'already_bought' then story.user_id end,
    p_shop, p_order_gid, p_order_id, p_customer_id, p_order_name, p_is_test,
    case when v_outcome = 'paid_after_cancel' then 'cancelled'::public.order_status else 'paid' end,
    p_customer_email, now(),
    case when v_outcome = 'paid_after_cancel' then now() end,
    (select e.detail ->> 'reason' from internal.shopify_events e
      where e.topic = 'orders/cancelled' and e.shop_domain = p_shop and e.subject = p_order_gid)
  );

  update internal.shopify_events set outcome = v_outcome
   where topic = 'orders/paid' and shop_domain = p_shop and subject = p_order_gid;

  if v_outcome = 'order_created' then
    -- Bought: the preview no longer expires, whether or not its print job can start now.
    update public.stories set purchased_at = coalesce(purchased_at, now()), updated_at = now()
     where id = story.id;
    begin
      perform internal.start_print_job(story.id);
    exception when sqlstate 'TC409' then
      -- The preview is still being drawn, or a page is held for review: start-pending-prints starts it later.
      null;
    end;
  end if;
  return v_outcome;
end;
$$;
comment on function internal.record_order_paid(text, text, text, text, boolean, text, text, text, jsonb) is 'Acts on orders/paid once: the order, the story bought, its print job. Outcomes other than order_created and duplicate are for an operator.';

create function internal.record_order_cancelled(
  p_shop text,
  p_order_gid text,
  p_order_id text,
  p_reason text,
  p_headers jsonb
)
returns text
language plpgsql
set search_path = ''
as $$
declare
  cancelled public.orders;
  v_story_id uuid;
  page record;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_shop || '/' || p_order_gid, 0));
  if not internal.record_shopify_event('orders/cancelled', p_shop, p_order_gid, p_headers, 'pending',
                                       jsonb_build_object('reason', p_reason, 'order_id', p_order_id)) then
    return 'duplicate';
  end if;

  -- The print job is locked before the order, as a completing print page locks them (complete_page, then the
  -- trigger that queues the book): the two never wait on each other in a circle.
  select o.story_id into v_story_id from public.orders o
   where o.shop_domain = p_shop and o.shopify_order_gid = p_order_gid;
  perform 1 from public.generation_jobs j where j.story_id = v_story_id and j.kind = 'print' for update;

  update public.orders
     set status = 'cancelled', cancelled_at = coalesce(cancelled_at, now()), cancel_reason = p_reason,
         updated_at = now()
   where shop_domain = p_shop and shopify_order_gid = p_order_gid
  returning * into cancelled;
  if not found then
    update internal.shopify_events set outcome = 'cancelled_before_paid'
     where topic = 'orders/cancelled' and shop_domain = p_shop and subject = p_order_gid;
    return 'cancelled_before_paid';
  end if;

  -- Pending work stops: queued print pages leave the queue, and are failed rather than pending, so that a cover
  -- finishing now does not queue them again (complete_page queues pending pages). A page being drawn right now
  -- finishes, and the book is never assembled for a cancelled order.
  for page in
    select p.id from public.story_pages p
      join public.generation_jobs j on j.id = p.job_id
     where j.story_id = cancelled.story_id and j.kind = 'print' and p.status in ('queued', 'pending')
  loop
    perform pgmq.delete('page_tasks', q.msg_id)
       from pgmq.q_page_tasks q where (q.message ->> 'page_id')::uuid = page.id;
    update public.story_pages
       set status = 'failed', last_error = 'cancelled: the order was cancelled', updated_at = now()
     where id = page.id;
  end loop;
  -- The story is a preview again, in its preview's state: it expires, and its photo with it, as an unbought
  -- preview does.
  update public.stories s
     set purchased_at = null, updated_at = now(),
         status = coalesce((
           select case j.status when 'completed' then 'completed'::public.story_status
                                when 'failed' then 'failed'::public.story_status
                                else 'processing'::public.story_status end
             from public.generation_jobs j where j.story_id = s.id and j.kind = 'preview'
         ), s.status)
   where s.id = cancelled.story_id;
  update public.generation_jobs
     set status = 'cancelled', current_step = 'cancelled', error = 'This order was cancelled.', updated_at = now()
   where story_id = cancelled.story_id and kind = 'print' and status in ('queued', 'processing', 'failed');

  update internal.shopify_events set outcome = 'cancelled'
   where topic = 'orders/cancelled' and shop_domain = p_shop and subject = p_order_gid;
  return 'cancelled';
end;
$$;
comment on function internal.record_order_cancelled(text, text, text, text, jsonb) is 'Acts on orders/cancelled once, before or after orders/paid: the order cancelled, queued print work stopped, the audit trail kept.';

-- ---------------------------------------------------------------------------------------------------------
-- Compliance topics
-- ---------------------------------------------------------------------------------------------------------
create function internal.customer_orders(p_shop text, p_customer_id text, p_order_ids text[])
returns setof public.orders
language sql
stable
set search_path = ''
as $$
  select * from public.orders o
   where o.shop_domain = p_shop
     and ((p_customer_id is not null and o.shopify_customer_id = p_customer_id)
          or o.shopify_order_id = any(p_order_ids))
$$;
comment on function internal.customer_orders(text, text, text[]) is 'The orders of a Shopify customer, by customer id or by the order ids Shopify names.';

create function internal.record_data_request(
  p_shop text,
  p_request_id text,
  p_customer_id text,
  p_order_ids text[],
  p_headers jsonb
)
returns text
language plpgsql
set search_path = ''
as $$
begin
  if not internal.record_shopify_event('customers/data_request', p_shop, p_request_id, p_headers,
                                       'data_request_recorded') then
    return 'duplicate';
  end if;
  -- What we hold for the customer: their orders, and the stories (with the child's details) and photos behind them.
  insert into internal.privacy_requests (kind, shop_domain, shopify_customer_id, shopify_order_ids, export, completed_at)
  select 'data_request', p_shop, p_customer_id, p_order_ids,
         jsonb_build_object(
           'orders', coalesce(jsonb_agg(jsonb_build_object(
             'order', o.shopify_order_gid, 'name', o.order_name, 'status', o.status, 'paid_at', o.paid_at,
             'cancelled_at', o.cancelled_at, 'email', o.customer_email,
             'story', (select jsonb_build_object(
                         'title', s.title, 'theme', s.theme_id, 'child_name', s.child_name, 'child_age', s.child_age,
                         'pronouns', s.pronouns, 'dedication', s.dedication, 'created_at', s.created_at,
                         'photo_stored', s.photo_id is not null)
                         from public.stories s where s.id = o.story_id)
           ) order by o.paid_at) filter (where o.id is not null), '[]'::jsonb)
         ),
         now()
    from (select 1) one
    left join internal.customer_orders(p_shop, p_customer_id, p_order_ids) o on true;
  return 'data_request_recorded';
end;
$$;
comment on function internal.record_data_request(text, text, text, text[], jsonb) is 'Answers customers/data_request once: an export of the customer''s orders, stories and photos, for an operator to hand to the shop.';

create function internal.record_redaction(
  p_topic text,
  p_shop text,
  p_subject text,
  p_customer_id text,
  p_order_ids text[],
  p_headers jsonb
)
returns text
language plpgsql
set search_path = ''
as $$
begin
  if not internal.record_shopify_event(p_topic, p_shop, p_subject, p_headers, 'redaction_recorded') then
    return 'duplicate';
  end if;
  insert into internal.privacy_requests (kind, shop_domain, shopify_customer_id, shopify_order_ids)
  values (case p_topic when 'shop/redact' then 'shop_redact' else 'customer_redact' end,
          p_shop, p_customer_id, coalesce(p_order_ids, '{}'));
  return 'redaction_recorded';
end;
$$;
comment on function internal.record_redaction(text, text, text, text, text[], jsonb) is 'Records customers/redact or shop/redact once; maintenance carries it out.';

create function internal.redaction_orders(p_request internal.privacy_requests)
returns setof public.orders
language sql
stable
set search_path = ''
as $$
  select * from public.orders o where p_request.kind = 'shop_redact' and o.shop_domain = p_request.shop_domain
  union all
  select * from internal.customer_orders(p_request.shop_domain, p_request.shopify_customer_id,
                                         p_request.shopify_order_ids)
   where p_request.kind = 'customer_redact'
$$;
comment on function internal.redaction_orders(internal.privacy_requests) is 'The orders a redaction covers: the shop''s, or the customer''s.';

create function internal.pending_redactions(p_limit integer)
returns table (request_id uuid, user_ids uuid[])
language sql
stable
set search_path = ''
as $$
  select r.id,
         coalesce(array_agg(distinct o.user_id) filter (where o.user_id is not null), '{}')
    from internal.privacy_requests r
    left join lateral internal.redaction_orders(r) o on true
   where r.completed_at is null and r.kind in ('customer_redact', 'shop_redact')
   group by r.id, r.received_at
   order by r.received_at
   limit p_limit
$$;
comment on function internal.pending_redactions(integer) is 'Redactions not carried out yet, with the users whose data they cover (their files are removed first).';

create function internal.complete_redaction(p_request_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  request internal.privacy_requests;
  target record;
begin
  select * into request from internal.privacy_requests where id = p_request_id and completed_at is null for update;
  if not found then
    return;
  end if;
  for target in
    select distinct o.user_id from internal.redaction_orders(request) o where o.user_id is not null
  loop
    perform internal.erase_user_data(target.user_id,
      case request.kind when 'shop_redact' then 'shop_redacted' else 'customer_redacted' end);
  end loop;

  -- Exports answered earlier hold the same personal data.
  delete from internal.privacy_requests e
   where e.kind = 'data_request' and e.shop_domain = request.shop_domain
     and (request.kind = 'shop_redact'
          or (request.shopify_customer_id is not null and e.shopify_customer_id = request.shopify_customer_id)
          or e.shopify_order_ids && request.shopify_order_ids);
  if request.kind = 'shop_redact' then
    -- The shop is gone: nothing of it is kept but the audit trail of ids.
    delete from public.orders where shop_domain = request.shop_domain;
  else
    update public.orders
       set customer_email = null, shopify_customer_id = null, updated_at = now()
     where id in (select o.id from internal.redaction_orders(request) o);
  end if;
  update internal.privacy_requests set completed_at = now(), last_error = null where id = p_request_id;
end;
$$;
comment on function internal.complete_redaction(uuid) is 'Carries out a redaction once its users'' files are removed: their rows erased, the orders anonymised (customer) or deleted (shop).';

create function internal.anonymise_user_orders(p_user_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  anonymised integer;
begin
  -- Orders stay for accounting, without the buyer's address.
  update public.orders o set customer_email = null, updated_at = now()
   where o.user_id = p_user_id and o.customer_email is not null;
  get diagnostics anonymised = row_count;
  return anonymised;
end;
$$;
comment on function internal.anonymise_user_orders(uuid) is 'Removes the personal data an erasure takes from the user''s orders; returns the orders changed.';

-- erase_user_data gains the reason (a parent's own request, or a shop's redaction) and anonymises the orders.
drop function internal.erase_user_data(uuid);
create function internal.erase_user_data(p_user_id uuid, p_reason text default 'erasure_requested')
returns table (photos integer, stories integer)
language plpgsql
set search_path = ''
as $$
declare
  stories_deleted integer;
  photos_deleted integer;
  attempts_deleted integer;
  orders_anonymised integer;
begin
  -- The per-user lock internal.create_preview takes: a preview being created now either commits first (and its
  -- story is deleted below) or waits and then fails on its deleted photo; it never outlives the erasure.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_user_id::text, 0));
  -- The photos next, in id order as forget_photos locks them (see the photo lifecycle migration for why).
  perform 1 from public.photos p where p.user_id = p_user_id order by p.id for update;
  -- Pages, their renders and the generation jobs go with the stories (on delete cascade); orders keep their
  -- row with story_id set null.
  delete from public.stories s where s.user_id = p_user_id;
  get diagnostics stories_deleted = row_count;
  delete from public.photos p where p.user_id = p_user_id;
  get diagnostics photos_deleted = row_count;
  delete from internal.photo_upload_attempts a where a.user_id = p_user_id;
  get diagnostics attempts_deleted = row_count;
  orders_anonymised := internal.anonymise_user_orders(p_user_id);

  if stories_deleted + photos_deleted + attempts_deleted + orders_anonymised > 0 then
    insert into internal.deleted_data (subject, subject_id, reason, details)
    values ('user_data', p_user_id, p_reason,
            jsonb_build_object('photos', photos_deleted, 'stories', stories_deleted, 'upload_attempts',
                               attempts_deleted, 'orders_anonymised', orders_anonymised));
  end if;
  return query select photos_deleted, stories_deleted;
end;
$$;
comment on function internal.erase_user_data(uuid, text) is 'Deletes every row of the user''s data (stories with their pages and jobs, photos, upload attempts), anonymises their orders and records the erasure once; call it after removing internal.user_storage_objects. Idempotent.';

-- Called as postgres (the owner) by the functions and cron; no API role may execute them.
revoke all on all functions in schema internal from public;

select cron.schedule('start-pending-prints', '* * * * *', $$ select internal.start_pending_prints(); $$);
select cron.schedule(
  'process-redactions', '7 * * * *', $$ select internal.call_function('maintenance', '{"task": "process_redactions"}', 120000); $$
);
