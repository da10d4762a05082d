-- A book's PDF (the child's likeness on every page) is kept for its download period and the grace days after
-- it, and a cancelled order's not at all: books_due_for_deletion lists exactly those, and forget_books clears
-- their paths once maintenance has removed the files.
begin;
select plan(4);

update internal.delivery_settings set book_grace_days = 7;
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('kept', tests.create_preview(tests.id('owner')));
select tests.remember('ended', tests.create_preview(tests.id('owner')));
select tests.remember('cancelled', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('kept'));
select tests.draw_preview(tests.id('ended'));
select tests.draw_preview(tests.id('cancelled'));
select tests.pay(tests.id('kept')::text, '1001', '7001', 'owner@example.com');
select tests.pay(tests.id('ended')::text, '1002', '7001', 'owner@example.com');
select tests.pay(tests.id('cancelled')::text, '1003', '7001', 'owner@example.com');
update public.orders
   set book_path = tests.id('owner') || '/' || id || '.pdf', book_ready_at = now() - interval '40 days',
       download_expires_at = case shopify_order_id
         when '1001' then now() - interval '6 days'   -- within the grace days
         when '1002' then now() - interval '8 days'   -- past them
         else now() + interval '20 days' end;
select tests.cancel('1003');

select set_eq(
  $$select o.shopify_order_id from internal.books_due_for_deletion(10) d join public.orders o on o.id = d.order_id$$,
  $$values ('1002'), ('1003')$$,
  'the book past its grace days and the cancelled order''s book are due; the one still in its grace days is not'
);
select is(
  (select count(*) from internal.books_due_for_deletion(1)), 1::bigint, 'no more than the limit at once'
);
select is(
  internal.forget_books(array(select order_id from internal.books_due_for_deletion(10))), 2,
  'their paths are forgotten once the files are removed'
);
select results_eq(
  $$select shopify_order_id, book_path is null, book_ready_at is not null from public.orders order by 1$$,
  $$values ('1001', false, true), ('1002', true, true), ('1003', true, true)$$,
  'the kept book keeps its path; the others keep only the record that a book was made (their links answer 410)'
);

select * from finish();
rollback;
