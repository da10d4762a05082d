-- What is failed now, by kind and code: failed and flagged pages, books that could not be assembled, emails that
-- could not be sent. The code is the snake_case prefix of the recorded error; the rest of the error is free text
-- (it may name the buyer) and never leaves the database.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('failed', tests.create_preview(tests.id('parent')));
select tests.fail_page_for_good(tests.id('failed'), 0);
select tests.remember('flagged', tests.create_preview(tests.id('parent')));
select tests.flag(tests.id('flagged'), 0);

-- A bought book whose assembly failed for good, and its email that could not be sent.
select tests.remember('bought', tests.create_preview(tests.id('parent')));
select tests.draw_preview(tests.id('bought'));
select tests.pay(tests.id('bought')::text, '1001');
select internal.fail_book(o.id, 0, 'the book could not be assembled', true)
  from public.orders o where o.shopify_order_id = '1001';
insert into internal.email_outbox (order_id, kind, idempotency_key, status, attempts, last_error)
select o.id, 'book_ready', 'book-ready/' || o.id, 'failed', 8, 'validation_error: buyer@example.com is not allowed'
  from public.orders o where o.shopify_order_id = '1001';

select results_eq(
  $$select f ->> 'kind', f ->> 'code', (f ->> 'count')::integer
      from jsonb_array_elements(internal.metrics_snapshot('{1}', '{1}') -> 'failures') f$$,
  $$values ('book', 'unclassified', 1), ('email', 'validation_error', 1), ('page', 'content_refused', 1),
           ('page', 'provider_error', 1)$$,
  'failures by kind and code; an error recorded without a code is unclassified'
);
select ok(
  internal.metrics_snapshot('{1}', '{1}')::text not like '%buyer@example.com%'
    and internal.metrics_snapshot('{1}', '{1}')::text not like '%assembled%',
  'no error text leaves the database'
);

-- The book made after all (an operator's retry): its order no longer counts as failed.
update public.orders set book_ready_at = now(), book_path = 'books/retried.pdf' where shopify_order_id = '1001';
select is(
  (select count(*)::integer from jsonb_array_elements(internal.metrics_snapshot('{1}', '{1}') -> 'failures') f
    where f ->> 'kind' = 'book'),
  0,
  'a book assembled since its error is no failure'
);

select * from finish();
rollback;
