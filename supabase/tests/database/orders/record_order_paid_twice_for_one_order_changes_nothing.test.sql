-- Shopify delivers a webhook at least once: a second orders/paid for the same order of the same shop is a
-- duplicate, whatever it carries, and changes nothing (no second order, no other story bought, no second
-- print job). The same order number from another shop is another order.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.draw_preview(tests.id('other_story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'buyer@example.com');

create temporary table state_before on commit drop as
  select 'orders' as table_name, md5(string_agg(o::text, ',' order by o.id)) as digest from public.orders o
  union all select 'events', md5(string_agg(e::text, ',' order by e.id)) from internal.shopify_events e
  union all select 'stories', md5(string_agg(s::text, ',' order by s.id)) from public.stories s
  union all select 'jobs', md5(string_agg(j::text, ',' order by j.id)) from public.generation_jobs j
  union all select 'pages', md5(string_agg(p::text, ',' order by p.id)) from public.story_pages p
  union all select 'tasks', md5(string_agg(q.msg_id::text, ',' order by q.msg_id)) from pgmq.q_page_tasks q;

select is(
  tests.pay(tests.id('story')::text, '1001', '7001', 'buyer@example.com'), 'duplicate',
  'the same notice again is a duplicate'
);
select is(
  tests.pay(tests.id('other_story')::text, '1001', '7002', 'someone-else@example.com'), 'duplicate',
  'a notice for the same order naming another preview and buyer is a duplicate too'
);
select set_eq(
  $$select 'orders', md5(string_agg(o::text, ',' order by o.id)) from public.orders o
    union all select 'events', md5(string_agg(e::text, ',' order by e.id)) from internal.shopify_events e
    union all select 'stories', md5(string_agg(s::text, ',' order by s.id)) from public.stories s
    union all select 'jobs', md5(string_agg(j::text, ',' order by j.id)) from public.generation_jobs j
    union all select 'pages', md5(string_agg(p::text, ',' order by p.id)) from public.story_pages p
    union all select 'tasks', md5(string_agg(q.msg_id::text, ',' order by q.msg_id)) from pgmq.q_page_tasks q$$,
  'select table_name, digest from state_before',
  'orders, events, stories, jobs, pages and tasks are exactly as after the first notice'
);
select is(
  (select purchased_at from public.stories where id = tests.id('other_story')), null,
  'the preview the duplicate named is not bought'
);

select is(
  tests.pay(tests.id('other_story')::text, '1001', '7002', 'someone-else@example.com', 'another-shop.myshopify.com'),
  'order_created',
  'order 1001 of another shop is another order'
);

select * from finish();
rollback;
