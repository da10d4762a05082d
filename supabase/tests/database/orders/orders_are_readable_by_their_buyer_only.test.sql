-- An order is visible to the parent whose story it bought, and to no one else: another parent and a visitor
-- read none of it. The service role (the shop's back office, support) reads every order, including one that
-- named no story and so belongs to no parent.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('owner_story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('other')));
select tests.draw_preview(tests.id('owner_story'));
select tests.draw_preview(tests.id('other_story'));
select tests.pay(tests.id('owner_story')::text, '1001', '7001', 'owner@example.com');
select tests.pay(tests.id('other_story')::text, '1002', '7002', 'other@example.com');
select tests.pay(null, '1003', '7003', 'nobody@example.com');

select tests.authenticate_as(tests.id('owner'));
select results_eq(
  'select shopify_order_id, story_id, customer_email from public.orders',
  $$values ('1001', tests.id('owner_story'), 'owner@example.com')$$,
  'the owner reads their own order, and only that'
);

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select id from public.orders where story_id = tests.id('owner_story')$$,
  'another parent does not read the owner''s order'
);
select results_eq(
  'select shopify_order_id from public.orders', $$values ('1002')$$, 'another parent reads only their own order'
);

select tests.authenticate_as_anon();
select throws_ok('select id from public.orders', '42501', null, 'anon may not read orders at all');

select tests.authenticate_as_service();
select set_eq(
  'select shopify_order_id from public.orders', $$values ('1001'), ('1002'), ('1003')$$,
  'the service role reads every order, the one without a parent too'
);
select tests.clear_authentication();

-- The refusals above hid rows that are there.
select is((select count(*) from public.orders), 3::bigint, 'postgres sees the three orders');

select * from finish();
rollback;
