-- A story bought again after its first order was cancelled (its print job stopped as `cancelled`) is recorded
-- as a paid order naming the story, with the outcome bought_again_after_cancel: an operator restarts the
-- print. Nothing restarts it on its own, neither the notice nor the start-pending-prints run.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');
select tests.remember('print_job', tests.print_job_id(tests.id('story')));
select tests.cancel('1001');

select is(
  tests.pay(tests.id('story')::text, '1002', '7001', 'owner@example.com'), 'bought_again_after_cancel',
  'the story bought again: bought_again_after_cancel'
);
select is(
  tests.event_outcome('orders/paid', tests.order_gid('1002')), 'bought_again_after_cancel', 'recorded as such'
);
select set_eq(
  'select shopify_order_id, story_id, user_id, status::text from public.orders',
  $$values ('1001', tests.id('story'), tests.id('owner'), 'cancelled'),
           ('1002', tests.id('story'), tests.id('owner'), 'paid')$$,
  'the new order is paid and names the story and its parent; the first stays cancelled'
);
select results_eq(
  $$select id, status::text from public.generation_jobs where story_id = tests.id('story') and kind = 'print'$$,
  $$values (tests.id('print_job'), 'cancelled')$$,
  'the story''s one print job stays cancelled'
);
select is(internal.start_pending_prints(), 0, 'start_pending_prints does not restart it');
select is(
  (select count(*) from public.story_pages where story_id = tests.id('story') and status in ('queued', 'generating')),
  0::bigint,
  'no page is queued for print'
);

select * from finish();
rollback;
