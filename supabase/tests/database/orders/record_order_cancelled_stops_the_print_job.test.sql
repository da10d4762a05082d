-- orders/cancelled after the order was paid: the order is cancelled with Shopify's reason, its print job is
-- `cancelled` (not `failed`, which the parent's retry would pick up), and its queued print pages leave the
-- queue: failed (so that a cover finishing now queues none of them again), their tasks deleted. A page being drawn right now is left to finish. The notice is
-- recorded, and the start-pending-prints run does not start the book again.
begin;
select plan(8);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');
select tests.remember('print_job', tests.print_job_id(tests.id('story')));
-- Page 3 is being drawn at print resolution when the cancellation comes.
select tests.claim(tests.id('story'), 3);

select is(tests.cancel('1001', 'customer'), 'cancelled', 'the order is cancelled');
select results_eq(
  'select status::text, cancelled_at, cancel_reason, paid_at from public.orders',
  $$values ('cancelled', now(), 'customer', now())$$,
  'the order is cancelled now, with Shopify''s reason, and keeps when it was paid'
);
select results_eq(
  $$select id, status::text, current_step, error from public.generation_jobs
     where story_id = tests.id('story') and kind = 'print'$$,
  $$values (tests.id('print_job'), 'cancelled', 'cancelled', 'This order was cancelled.')$$,
  'the print job is cancelled'
);
select results_eq(
  $$select page_number::int, status::text from public.story_pages where story_id = tests.id('story')
     order by page_number$$,
  $$select n, case when n = 3 then 'generating' else 'failed' end from generate_series(0, 10) as n$$,
  'the queued pages are failed; the page being drawn is left to finish'
);
select results_eq(
  $$select p.page_number::int from pgmq.q_page_tasks q
      join public.story_pages p on p.id = (q.message ->> 'page_id')::uuid
     where p.story_id = tests.id('story')$$,
  $$values (3)$$,
  'the queued pages'' tasks are deleted; only the page being drawn keeps its task'
);
select results_eq(
  $$select outcome, detail from internal.shopify_events where topic = 'orders/cancelled'$$,
  $$values ('cancelled', '{"reason": "customer", "order_id": "1001"}'::jsonb)$$,
  'the cancellation is recorded with its reason'
);
select is(internal.start_pending_prints(), 0, 'start_pending_prints does not start the book again');
select is(
  (select count(*) from public.generation_jobs where story_id = tests.id('story') and kind = 'print'), 1::bigint,
  'the story keeps its one, cancelled, print job'
);

select * from finish();
rollback;
