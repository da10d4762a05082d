-- An order whose line item names no usable preview is still answered without error (an error would only make
-- Shopify deliver it again) and recorded for an operator, each with its reason: no preview named
-- (no_preview), an id that is no story (unknown_preview, whether a uuid or not), a preview that expired
-- unbought (preview_expired). None of them buys a story or starts a print job.
begin;
select plan(8);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('expired', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('expired'));
select tests.expire(tests.id('expired'));
select tests.remember('unknown', gen_random_uuid());

select is(tests.pay(null, '1001'), 'no_preview', 'an order naming no preview: no_preview');
select is(tests.pay(tests.id('unknown')::text, '1002'), 'unknown_preview', 'an id that is no story: unknown_preview');
select is(tests.pay('not-a-preview-id', '1003'), 'unknown_preview', 'an id that is not even a uuid: unknown_preview');
select is(tests.pay(tests.id('expired')::text, '1004'), 'preview_expired', 'an expired preview: preview_expired');

select set_eq(
  $$select subject, outcome, detail ->> 'preview_id' from internal.shopify_events where topic = 'orders/paid'$$,
  $$values ('gid://shopify/Order/1001', 'no_preview', null),
           ('gid://shopify/Order/1002', 'unknown_preview', tests.id('unknown')::text),
           ('gid://shopify/Order/1003', 'unknown_preview', 'not-a-preview-id'),
           ('gid://shopify/Order/1004', 'preview_expired', tests.id('expired')::text)$$,
  'each is recorded with its outcome and the preview id as the shop sent it, for an operator'
);
select set_eq(
  'select shopify_order_id, story_id, user_id, status::text from public.orders',
  $$values ('1001', null::uuid, null::uuid, 'paid'), ('1002', null, null, 'paid'), ('1003', null, null, 'paid'),
           ('1004', tests.id('expired'), tests.id('owner'), 'paid')$$,
  'each order is kept as paid; only the expired preview''s names its story and parent'
);
select results_eq(
  $$select status::text, purchased_at from public.stories where id = tests.id('expired')$$,
  $$values ('expired', null::timestamptz)$$,
  'the expired preview stays expired and unbought'
);
select is_empty(
  $$select id from public.generation_jobs where kind = 'print'$$, 'no print job is started'
);

select * from finish();
rollback;
