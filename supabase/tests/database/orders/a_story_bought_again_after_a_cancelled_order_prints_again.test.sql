-- A story bought again after its first order was cancelled (its print job stopped as `cancelled`) is an order
-- like any other: order_created, the story bought again, and a new print job in place of the cancelled one.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');
select tests.remember('cancelled_job', tests.print_job_id(tests.id('story')));
select tests.cancel('1001');

select is(
  tests.pay(tests.id('story')::text, '1002', '7001', 'owner@example.com'), 'order_created',
  'the story bought again is an order like any other'
);
select set_eq(
  'select shopify_order_id, story_id, status::text from public.orders',
  $$values ('1001', tests.id('story'), 'cancelled'), ('1002', tests.id('story'), 'paid')$$,
  'the new order is paid and names the story; the first stays cancelled'
);
select results_eq(
  $$select id <> tests.id('cancelled_job'), status::text, total_pages::int from public.generation_jobs
     where story_id = tests.id('story') and kind = 'print'$$,
  $$values (true, 'queued', 11)$$,
  'a new print job replaces the cancelled one'
);
select is(
  (select count(*) from public.story_pages where story_id = tests.id('story') and status = 'queued'),
  11::bigint,
  'every page is queued for print again'
);
select ok(
  (select purchased_at is not null from public.stories where id = tests.id('story')),
  'the story is bought again, so it does not expire'
);

select * from finish();
rollback;
