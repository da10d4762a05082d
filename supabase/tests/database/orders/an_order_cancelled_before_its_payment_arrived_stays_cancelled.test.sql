-- Shopify does not promise the order of its webhooks: orders/cancelled may arrive before orders/paid. The
-- cancellation is recorded (cancelled_before_paid) and wins: the paid notice that follows keeps the order for
-- the audit trail as cancelled (paid_after_cancel), buys nothing and starts no print job.
begin;
select plan(9);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));

select is(tests.cancel('1001', 'customer'), 'cancelled_before_paid', 'a cancellation of an unknown order');
select is(
  tests.event_outcome('orders/cancelled', tests.order_gid('1001')), 'cancelled_before_paid', 'recorded as such'
);
select is_empty('select id from public.orders', 'no order exists yet');

select is(tests.pay(tests.id('story')::text, '1001'), 'paid_after_cancel', 'the paid notice that follows');
select is(tests.event_outcome('orders/paid', tests.order_gid('1001')), 'paid_after_cancel', 'recorded as such');
select results_eq(
  'select story_id, status::text, paid_at, cancelled_at from public.orders',
  $$values (tests.id('story'), 'cancelled', now(), now())$$,
  'the order is kept as cancelled'
);
select results_eq(
  $$select purchased_at, status::text from public.stories where id = tests.id('story')$$,
  $$values (null::timestamptz, 'completed')$$,
  'the story is not bought'
);
select is(tests.print_job_id(tests.id('story')), null, 'and no print job is started');
select is(internal.start_pending_prints(), 0, 'nor by the start-pending-prints run');

select * from finish();
rollback;
