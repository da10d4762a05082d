-- A parent's own erasure keeps their orders for accounting but clears the buyer's address from each, and
-- counts the orders it anonymised (those that had an address) in the erasure's record. The orders stay with
-- the parent (their Shopify customer id too), no longer naming the deleted story. Another parent's order
-- keeps its address.
begin;
select plan(4);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.remember('second_story', tests.create_preview(tests.id('parent')));
select tests.remember('others_story', tests.create_preview(tests.id('other')));
select tests.draw_preview(id) from public.stories;
select tests.pay(tests.id('story')::text, '1001', '7001', 'parent@example.com');
-- An order whose buyer gave no address: nothing to clear, so not counted.
select tests.pay(tests.id('second_story')::text, '1002', '7001', null);
select tests.pay(tests.id('others_story')::text, '1003', '7002', 'other@example.com');

select results_eq(
  $$select photos, stories from internal.erase_user_data(tests.id('parent'))$$, 'values (2, 2)',
  'the erasure deletes the parent''s two photos and two stories'
);
select set_eq(
  $$select shopify_order_id, story_id, user_id, shopify_customer_id, customer_email, status::text
      from public.orders where user_id = tests.id('parent')$$,
  $$values ('1001', null::uuid, tests.id('parent'), '7001', null::text, 'paid'),
           ('1002', null, tests.id('parent'), '7001', null, 'paid')$$,
  'both orders are kept, paid, without the address or the deleted story'
);
select results_eq(
  'select subject_id, reason, details from internal.deleted_data',
  $$values (tests.id('parent'), 'erasure_requested',
            '{"photos": 2, "stories": 2, "upload_attempts": 0, "orders_anonymised": 1}'::jsonb)$$,
  'the erasure is recorded as requested, counting the one order that had an address'
);
select results_eq(
  $$select customer_email, story_id from public.orders where shopify_order_id = '1003'$$,
  $$values ('other@example.com', tests.id('others_story'))$$,
  'another parent''s order keeps its address and its story'
);

select * from finish();
rollback;
