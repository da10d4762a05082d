-- A preview can be bought once: an orders/paid naming a story another paid order holds is recorded as
-- already_bought for an operator (a refund, most likely). The new order does not name the story or its parent
-- (a redaction of its buyer must not erase the first buyer's book), and the first order and its print job are
-- left as they were.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');
select tests.remember('print_job', tests.print_job_id(tests.id('story')));

create temporary table first_order on commit drop as select * from public.orders;

select is(
  tests.pay(tests.id('story')::text, '1002', '7002', 'second@example.com'), 'already_bought',
  'a second order for the same story: already_bought'
);
select is(tests.event_outcome('orders/paid', tests.order_gid('1002')), 'already_bought', 'recorded as such');
select results_eq(
  $$select story_id, user_id, status::text, customer_email from public.orders where shopify_order_id = '1002'$$,
  $$values (null::uuid, null::uuid, 'paid', 'second@example.com')$$,
  'the second order is kept as paid without naming the story or its parent'
);
select set_eq(
  $$select * from public.orders where shopify_order_id = '1001'$$, 'select * from first_order',
  'the first order is untouched'
);
select results_eq(
  $$select id, status::text from public.generation_jobs where story_id = tests.id('story') and kind = 'print'$$,
  $$values (tests.id('print_job'), 'queued')$$,
  'the story keeps its one print job'
);
select is(internal.start_pending_prints(), 0, 'and nothing is left to start');

select * from finish();
rollback;
