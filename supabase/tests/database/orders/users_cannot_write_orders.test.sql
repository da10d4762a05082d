-- Only the purchase webhook (postgres) and the service role write orders: neither the buyer, another parent
-- nor a visitor can insert, update or delete one. The API roles hold no write grant on the table (the buyer
-- reads chosen columns only), so every write is refused with insufficient_privilege.
begin;
select plan(13);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');

create temporary table orders_before on commit drop as select * from public.orders;

-- as the buyer
select tests.authenticate_as(tests.id('owner'));
select throws_ok(
  format(
    $$insert into public.orders (story_id, user_id, shop_domain, shopify_order_gid, shopify_order_id)
      values (%L, auth.uid(), 'talecraft-test.myshopify.com', 'gid://shopify/Order/1', '1')$$,
    tests.id('story')
  ),
  '42501', null, 'the buyer cannot record an order of their own (a free book)'
);
select throws_ok(
  $$update public.orders set status = 'paid', customer_email = 'me@example.com'$$, '42501', null, 'the buyer cannot update their order'
);
select throws_ok('delete from public.orders', '42501', null, 'the buyer cannot delete their order');

-- as another parent
select tests.authenticate_as(tests.id('other'));
select throws_ok(
  $$insert into public.orders (user_id, shop_domain, shopify_order_gid, shopify_order_id)
    values (auth.uid(), 'talecraft-test.myshopify.com', 'gid://shopify/Order/2', '2')$$,
  '42501', null, 'another parent cannot insert an order'
);
select throws_ok(
  $$update public.orders set user_id = auth.uid()$$, '42501', null, 'another parent cannot take the owner''s order over'
);
select throws_ok('delete from public.orders', '42501', null, 'another parent cannot delete the order');

-- as a visitor
select tests.authenticate_as_anon();
select throws_ok(
  $$insert into public.orders (shop_domain, shopify_order_gid, shopify_order_id)
    values ('talecraft-test.myshopify.com', 'gid://shopify/Order/3', '3')$$,
  '42501', null, 'anon cannot insert an order'
);
select throws_ok(
  $$update public.orders set status = 'cancelled'$$, '42501', null, 'anon cannot update an order'
);
select throws_ok('delete from public.orders', '42501', null, 'anon cannot delete an order');
select tests.clear_authentication();

select set_eq(
  'select * from public.orders', 'select * from orders_before', 'the order is exactly as it was'
);
select is((select count(*) from public.orders), 1::bigint, 'and it is the only order');

-- The service role bypasses row level security: support may correct an order.
select tests.authenticate_as_service();
select is(
  tests.affected_rows($$update public.orders set order_name = '#1001-corrected'$$), 1::bigint,
  'the service role updates an order'
);
select tests.clear_authentication();
select is(
  (select order_name from public.orders), '#1001-corrected', 'and its change is there'
);

select * from finish();
rollback;
