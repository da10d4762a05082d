-- customers/data_request is answered at once with an export of what we hold for the customer: every order of
-- theirs in that shop, found by their customer id and by the order ids Shopify names (a guest checkout has no
-- customer id), each with its story's title and child's details. Nothing of another customer is in it, nor
-- the customer's orders in another shop. The request is recorded once.
begin;
select plan(8);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('guest_parent', tests.create_user('guest@example.com'));
select tests.remember('other_parent', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.remember('guest_story', tests.create_preview(tests.id('guest_parent')));
select tests.remember('other_story', tests.create_preview(tests.id('other_parent')));
select tests.remember('elsewhere_story', tests.create_preview(tests.id('parent')));
update public.stories set child_name = 'Leo', child_age = 7, pronouns = 'he', dedication = 'For Leo'
 where id = tests.id('guest_story');
update public.stories set child_name = 'Zoe' where id = tests.id('other_story');
update public.stories set child_name = 'Ada' where id = tests.id('elsewhere_story');
select tests.draw_preview(id) from public.stories;

select tests.pay(tests.id('story')::text, '1001', '7001', 'customer@example.com');
select tests.pay(null, '1002', '7001', 'customer@example.com');
select tests.pay(tests.id('guest_story')::text, '1003', null, 'customer@example.com');
select tests.pay(tests.id('other_story')::text, '1004', '7002', 'other@example.com');
select tests.pay(
  tests.id('elsewhere_story')::text, '1005', '7001', 'customer@example.com', 'another-shop.myshopify.com'
);

select is(
  internal.record_data_request(tests.shop(), 'request-1', '7001', '{1003}', tests.delivery_headers('request-1')),
  'data_request_recorded',
  'the request is answered'
);
select results_eq(
  $$select kind, shop_domain, shopify_customer_id, shopify_order_ids, completed_at from internal.privacy_requests$$,
  $$values ('data_request', 'talecraft-test.myshopify.com', '7001', '{1003}'::text[], now())$$,
  'it is recorded, and done at once'
);
select set_eq(
  $$select o ->> 'order' as gid, o ->> 'name' as name, o ->> 'status' as status, o ->> 'email' as email,
           o -> 'story' ->> 'child_name' as child_name
      from internal.privacy_requests r, jsonb_array_elements(r.export -> 'orders') as o$$,
  $$values ('gid://shopify/Order/1001', '#1001', 'paid', 'customer@example.com', 'Mia'),
           ('gid://shopify/Order/1002', '#1002', 'paid', 'customer@example.com', null),
           ('gid://shopify/Order/1003', '#1003', 'paid', 'customer@example.com', 'Leo')$$,
  'the export lists the customer''s orders by customer id and the guest order Shopify named, and only those'
);
select is(
  (select o -> 'story' from internal.privacy_requests r, jsonb_array_elements(r.export -> 'orders') as o
    where o ->> 'order' = 'gid://shopify/Order/1003'),
  (select jsonb_build_object('title', 'Mia and the Whispering Trees', 'theme', 'enchanted_forest',
                             'child_name', 'Leo', 'child_age', 7, 'pronouns', 'he', 'dedication', 'For Leo',
                             'created_at', s.created_at, 'photo_stored', true)
     from public.stories s where s.id = tests.id('guest_story')),
  'each order carries its story with the child''s details'
);
select ok(
  (select export::text !~ '(other@example\.com|Zoe|Ada|Order/1004|Order/1005)' from internal.privacy_requests),
  'nothing of another customer, nor of the customer''s orders in another shop, is in the export'
);

select is(
  internal.record_data_request(tests.shop(), 'request-1', '7001', '{1003}', tests.delivery_headers('request-1')),
  'duplicate',
  'the same request delivered again is a duplicate'
);
select is(
  internal.record_data_request(tests.shop(), 'request-2', '7099', '{}', tests.delivery_headers('request-2')),
  'data_request_recorded',
  'a customer we hold nothing for is answered too'
);
select is(
  (select export from internal.privacy_requests where shopify_customer_id = '7099'), '{"orders": []}'::jsonb,
  'with an empty export'
);

select * from finish();
rollback;
