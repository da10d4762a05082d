-- Cost per book: every story that went to print, costed as internal.story_costs totals it (its preview
-- included), as counts per bucket of the given upper bounds in USD and their sum. Books delivered: orders whose
-- email went out.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));

-- The first book: a preview of two fal pages ($0.078), then at print a 4K page ($0.16) and an upscale ($0.016).
select tests.remember('first', tests.create_preview(tests.id('parent')));
select tests.draw_preview(tests.id('first'));
select internal.record_finished_call(tests.page_id(tests.id('first'), n), 'generate', 'fal',
  'fal-ai/nano-banana-2/edit', '1K', 9000, 1024, 1024, 0.039)
  from generate_series(0, 1) as n;
select tests.pay(tests.id('first')::text, '1001');
select internal.record_finished_call(tests.page_id(tests.id('first'), 6), 'generate', 'fal',
  'fal-ai/nano-banana-2/edit', '4K', 30000, 4096, 4096, 0.16);
select internal.record_finished_call(tests.page_id(tests.id('first'), 1), 'upscale', 'fal',
  'fal-ai/seedvr/upscale/image', 'x4', 4000, 4096, 4096, 0.016);

-- The second book, printed by the illustrator at no cost.
select tests.remember('second', tests.create_preview(tests.id('other')));
select tests.draw_preview(tests.id('second'));
select tests.pay(tests.id('second')::text, '1002', '7002', 'other@example.com');
select internal.record_finished_call(tests.page_id(tests.id('second'), 6), 'generate', 'illustrator',
  'storybook-v1', null, 1500, 3075, 3075, 0);

-- A preview nobody bought ($0.039) is no book.
select tests.remember('preview', tests.create_preview(tests.id('other')));
select tests.draw_page(tests.id('preview'), 0);
select internal.record_finished_call(tests.page_id(tests.id('preview'), 0), 'generate', 'fal',
  'fal-ai/nano-banana-2/edit', '1K', 9000, 1024, 1024, 0.039);

select results_eq(
  $$select c -> 'bucket_counts', (c ->> 'sum_usd')::numeric
      from (select internal.metrics_snapshot('{1}', '{0.1, 0.5, 1}') -> 'book_cost' as c) snapshot$$,
  $$values ('[1, 1, 0, 0]'::jsonb, 0.254)$$,
  'two books, one free (≤ 0.1) and one at $0.254 with its preview (≤ 0.5); the unbought preview is not one'
);

-- The first book is assembled and its email sent; the second's is not yet.
select internal.complete_book(o.id, 0, o.user_id || '/' || o.id || '.pdf', 1000000, 16::smallint)
  from public.orders o where o.shopify_order_id = '1001';
select internal.complete_email(e.id, 0, 'msg-1001')
  from internal.email_outbox e join public.orders o on o.id = e.order_id where o.shopify_order_id = '1001';
select internal.complete_book(o.id, 0, o.user_id || '/' || o.id || '.pdf', 1000000, 16::smallint)
  from public.orders o where o.shopify_order_id = '1002';

select is(
  (internal.metrics_snapshot('{1}', '{1}') ->> 'books_delivered')::integer,
  1,
  'one book delivered: its email went out'
);
select is(
  internal.metrics_snapshot('{1}', '{0.2}') -> 'book_cost' -> 'bucket_counts',
  '[1, 1]',
  'with one bound, the free book is within it and the other beyond'
);

select * from finish();
rollback;
