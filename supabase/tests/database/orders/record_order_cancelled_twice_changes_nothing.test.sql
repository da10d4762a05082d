-- A second orders/cancelled for the same order is a duplicate, whatever reason it carries, and changes
-- nothing: the order keeps its first reason and time, and nothing else moves.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001');
select tests.cancel('1001', 'customer');

create temporary table state_before on commit drop as
  select 'orders' as table_name, md5(string_agg(o::text, ',' order by o.id)) as digest from public.orders o
  union all select 'events', md5(string_agg(e::text, ',' order by e.id)) from internal.shopify_events e
  union all select 'jobs', md5(string_agg(j::text, ',' order by j.id)) from public.generation_jobs j
  union all select 'pages', md5(string_agg(p::text, ',' order by p.id)) from public.story_pages p;

select is(tests.cancel('1001', 'fraud'), 'duplicate', 'the second cancellation is a duplicate');
select is((select cancel_reason from public.orders), 'customer', 'the order keeps the first reason');
select set_eq(
  $$select 'orders', md5(string_agg(o::text, ',' order by o.id)) from public.orders o
    union all select 'events', md5(string_agg(e::text, ',' order by e.id)) from internal.shopify_events e
    union all select 'jobs', md5(string_agg(j::text, ',' order by j.id)) from public.generation_jobs j
    union all select 'pages', md5(string_agg(p::text, ',' order by p.id)) from public.story_pages p$$,
  'select table_name, digest from state_before',
  'orders, events, jobs and pages are exactly as after the first'
);

select * from finish();
rollback;
