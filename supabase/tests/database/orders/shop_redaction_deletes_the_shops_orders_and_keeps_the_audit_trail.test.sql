-- shop/redact (48 hours after a shop uninstalls) is recorded, then carried out by maintenance: every parent
-- whose book an order of that shop bought is erased (recorded as shop_redacted), and the shop's orders are
-- deleted. The webhook events stay as the audit trail of ids. Another shop's orders and parents are left
-- alone.
begin;
select plan(8);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('second_parent', tests.create_user('second@example.com'));
select tests.remember('elsewhere_parent', tests.create_user('elsewhere@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.remember('second_story', tests.create_preview(tests.id('second_parent')));
select tests.remember('elsewhere_story', tests.create_preview(tests.id('elsewhere_parent')));
select tests.draw_preview(id) from public.stories;
select tests.pay(tests.id('story')::text, '1001', '7001', 'customer@example.com');
select tests.pay(tests.id('second_story')::text, '1002', '7002', 'second@example.com');
select tests.pay(null, '1003', '7003', 'third@example.com');
select tests.pay(
  tests.id('elsewhere_story')::text, '1001', '7001', 'customer@example.com', 'another-shop.myshopify.com'
);

select is(tests.redact_shop(tests.shop()), 'redaction_recorded', 'the redaction is recorded');
select results_eq(
  $$select request_id, (select array_agg(u order by u) from unnest(user_ids) as u)
      from internal.pending_redactions(10)$$,
  $$select tests.privacy_request_id('shop_redact'),
           (select array_agg(u order by u) from unnest(array[tests.id('parent'), tests.id('second_parent')]) as u)$$,
  'it is pending, covering the parents of every order of the shop'
);

select internal.complete_redaction(tests.privacy_request_id('shop_redact'));

select is_empty(
  $$select id from public.orders where shop_domain = 'talecraft-test.myshopify.com'$$,
  'the shop''s orders are deleted'
);
select is_empty(
  $$select id from public.stories where user_id in (tests.id('parent'), tests.id('second_parent'))
    union all select id from public.photos where user_id in (tests.id('parent'), tests.id('second_parent'))$$,
  'the stories and photos of its parents are gone'
);
select set_eq(
  'select subject_id, reason from internal.deleted_data',
  $$values (tests.id('parent'), 'shop_redacted'), (tests.id('second_parent'), 'shop_redacted')$$,
  'each parent''s erasure is recorded as shop_redacted'
);
select set_eq(
  $$select topic, subject from internal.shopify_events where shop_domain = 'talecraft-test.myshopify.com'$$,
  $$values ('orders/paid', 'gid://shopify/Order/1001'), ('orders/paid', 'gid://shopify/Order/1002'),
           ('orders/paid', 'gid://shopify/Order/1003'), ('shop/redact', 'talecraft-test.myshopify.com')$$,
  'the webhook events of the shop are kept'
);
select results_eq(
  $$select o.shop_domain, o.customer_email, o.story_id,
           (select count(*) from public.story_pages p where p.story_id = o.story_id)
      from public.orders o$$,
  $$values ('another-shop.myshopify.com', 'customer@example.com', tests.id('elsewhere_story'), 11::bigint)$$,
  'another shop''s order, its address and its story with its pages are untouched'
);
select is(
  (select completed_at from internal.privacy_requests where kind = 'shop_redact'), now(), 'the request is done'
);

select * from finish();
rollback;
