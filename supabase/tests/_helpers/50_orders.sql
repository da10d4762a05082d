-- Test helpers: Shopify orders and privacy requests, acting as the shopify-webhooks function and maintenance
-- do (postgres), through the orders' own functions. An order is named by its Shopify number; the shop is
-- tests.shop() unless another is given.

create or replace function tests.shop()
returns text
language sql
immutable
set search_path = ''
as $$
  select 'talecraft-test.myshopify.com'
$$;

create or replace function tests.order_gid(p_order_id text)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'gid://shopify/Order/' || p_order_id
$$;

-- The delivery headers the webhook keeps with each event.
create or replace function tests.delivery_headers(p_webhook_id text)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('webhook_id', p_webhook_id, 'event_id', 'event-' || p_webhook_id,
                                       'triggered_at', now(), 'api_version', '2025-10')
$$;

-- orders/paid for the preview the order's line item names (any text, or null for none). Returns the outcome.
create or replace function tests.pay(
  p_preview_id text,
  p_order_id text,
  p_customer_id text default '7001',
  p_customer_email text default 'buyer@example.com',
  p_shop text default tests.shop()
)
returns text
language sql
set search_path = ''
as $$
  select internal.record_order_paid(
    p_shop, tests.order_gid(p_order_id), p_order_id, '#' || p_order_id, false, p_customer_id, p_customer_email,
    p_preview_id, tests.delivery_headers('paid-' || p_order_id)
  )
$$;

-- orders/cancelled for the order. Returns the outcome.
create or replace function tests.cancel(
  p_order_id text,
  p_reason text default 'customer',
  p_shop text default tests.shop()
)
returns text
language sql
set search_path = ''
as $$
  select internal.record_order_cancelled(
    p_shop, tests.order_gid(p_order_id), p_order_id, p_reason, tests.delivery_headers('cancelled-' || p_order_id)
  )
$$;

-- What the webhook recorded for a topic's subject (the order's gid for order topics): null when nothing.
create or replace function tests.event_outcome(p_topic text, p_subject text, p_shop text default tests.shop())
returns text
language sql
stable
set search_path = ''
as $$
  select outcome from internal.shopify_events where topic = p_topic and shop_domain = p_shop and subject = p_subject
$$;

-- customers/redact for a customer and the orders Shopify names. Returns the outcome.
create or replace function tests.redact_customer(
  p_customer_id text,
  p_order_ids text[] default '{}',
  p_shop text default tests.shop()
)
returns text
language sql
set search_path = ''
as $$
  select internal.record_redaction(
    'customers/redact', p_shop, p_customer_id, p_customer_id, p_order_ids,
    tests.delivery_headers('redact-' || p_customer_id)
  )
$$;

-- shop/redact for a shop. Returns the outcome.
create or replace function tests.redact_shop(p_shop text)
returns text
language sql
set search_path = ''
as $$
  select internal.record_redaction(
    'shop/redact', p_shop, p_shop, null, '{}', tests.delivery_headers('redact-' || p_shop)
  )
$$;

-- The newest privacy request of a kind from a shop.
create or replace function tests.privacy_request_id(p_kind text, p_shop text default tests.shop())
returns uuid
language sql
stable
set search_path = ''
as $$
  select id from internal.privacy_requests where kind = p_kind and shop_domain = p_shop
   order by received_at desc, id limit 1
$$;

revoke all on function tests.shop(), tests.order_gid(text), tests.delivery_headers(text),
  tests.pay(text, text, text, text, text), tests.cancel(text, text, text), tests.event_outcome(text, text, text),
  tests.redact_customer(text, text[], text), tests.redact_shop(text), tests.privacy_request_id(text, text)
  from public;
