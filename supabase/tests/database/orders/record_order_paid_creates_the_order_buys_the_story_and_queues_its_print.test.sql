-- orders/paid for a drawn preview: the order is recorded with Shopify's ids exactly as sent (an order id
-- beyond 2^53 included), naming the story and its parent; the event is kept with its delivery headers; the
-- story is bought, so it no longer expires; and its print job is queued with all 11 pages.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));

select is(
  tests.pay(tests.id('story')::text, '5820982911946154508', '7365925765379', 'buyer@example.com'),
  'order_created',
  'the order is created'
);
select results_eq(
  $$select story_id, user_id, shop_domain, shopify_order_gid, shopify_order_id, shopify_customer_id, order_name,
           is_test, status::text, customer_email, paid_at, cancelled_at, cancel_reason
      from public.orders$$,
  $$values (tests.id('story'), tests.id('owner'), 'talecraft-test.myshopify.com',
            'gid://shopify/Order/5820982911946154508', '5820982911946154508', '7365925765379',
            '#5820982911946154508', false, 'paid', 'buyer@example.com', now(), null::timestamptz, null::text)$$,
  'one paid order names the story and its parent, with the shop''s ids digit for digit'
);
select results_eq(
  $$select topic, subject, webhook_id, event_id, triggered_at, api_version, outcome, detail
      from internal.shopify_events$$,
  $$values ('orders/paid', 'gid://shopify/Order/5820982911946154508', 'paid-5820982911946154508',
            'event-paid-5820982911946154508', now(), '2025-10', 'order_created',
            jsonb_build_object('preview_id', tests.id('story')::text, 'test', false))$$,
  'the event is recorded once, with its delivery headers, the outcome and the preview named'
);
select is(
  (select purchased_at from public.stories where id = tests.id('story')), now(),
  'the story is bought now'
);
select tests.expire(tests.id('story'));
select isnt(
  (select status::text from public.stories where id = tests.id('story')), 'expired',
  'and the expiry sweep passes it by, even after its 7 days'
);
select results_eq(
  $$select kind::text, status::text, total_pages::int from public.generation_jobs
     where story_id = tests.id('story') and kind = 'print'$$,
  $$values ('print', 'queued', 11)$$,
  'its print job is queued for 11 pages'
);
select results_eq(
  $$select count(*)::int, count(*) filter (where status = 'queued')::int,
           count(*) filter (
             where exists (select 1 from pgmq.q_page_tasks q where q.message ->> 'page_id' = p.id::text)
           )::int
      from public.story_pages p where p.job_id = tests.print_job_id(tests.id('story'))$$,
  $$values (11, 11, 11)$$,
  'all 11 pages are queued under the print job, each with its task'
);

select * from finish();
rollback;
