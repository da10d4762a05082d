-- stuck_work follows a bought book to its email: a book that failed for good is listed at once (with the
-- retry command), an order still printing only once it is older than the threshold, a failed email at once,
-- an image request unanswered for longer than the threshold and a task long in its queue; fresh requests,
-- and a delivered order, are not listed. The threshold is the argument (15 minutes by default). Anon, a
-- parent and another user cannot list stuck work.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
-- Each preview drawn before the next is made: a parent has at most three generations active.
select tests.remember(name, tests.create_preview(tests.id('owner'))), tests.draw_preview(tests.id(name))
  from unnest(array['failed_book', 'failed_email', 'printing', 'delivered']) as name;
select tests.remember('late', tests.create_preview(tests.id('other')));
select tests.remember('failed_book_order', tests.buy_and_print(tests.id('failed_book'), '1001'));
select tests.fail_book(tests.id('failed_book_order'));
select tests.remember('failed_email_order', tests.buy_and_print(tests.id('failed_email'), '1002'));
select tests.assemble_book(tests.id('failed_email_order'));
select tests.remember('failed_email_id', tests.fail_email(tests.id('failed_email_order')));
select tests.pay(tests.id('printing')::text, '1003');
select tests.remember('printing_order', tests.order_id('1003'));
select tests.deliver(tests.id('delivered'), '1004');
-- fal is drawing the cover of one preview (for 20 minutes now) and page 1 of another (for a minute).
select tests.remember('late_call', tests.submit_page(tests.id('late'), 0, 'req-late'));
select tests.backdate_call('req-late', interval '20 minutes');
select tests.submit_page(tests.id('printing'), 1, 'req-fresh');
select tests.backdate_call('req-fresh', interval '1 minute');
-- The printing order was paid 20 minutes ago; the late cover's task has waited as long.
update public.orders set paid_at = now() - interval '20 minutes' where id = tests.id('printing_order');
update pgmq.q_page_tasks set enqueued_at = now() - interval '20 minutes'
 where message ->> 'page_id' = tests.page_id(tests.id('late'), 0)::text;

select results_eq(
  $$select * from tests.api_role_errors('select * from ops.stuck_work(interval ''1 hour'')',
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, a parent and another user cannot list stuck work'
);

select tests.authenticate_as_service();
create temporary table stuck on commit drop as select * from ops.stuck_work();
create temporary table stuck_an_hour on commit drop as select * from ops.stuck_work(interval '1 hour');
select tests.clear_authentication();

select set_eq(
  'select kind, id, order_id, status from stuck',
  $$values ('order_without_book', tests.id('failed_book_order')::text, tests.id('failed_book_order'), 'book_failed'),
           ('email_failed', tests.id('failed_email_id')::text, tests.id('failed_email_order'), 'failed'),
           ('order_without_book', tests.id('printing_order')::text, tests.id('printing_order'), 'print_processing'),
           ('provider_call_waiting', tests.id('late_call')::text, null::uuid, 'submitted'),
           ('queue_message_old', 'page_tasks/' || tests.message_id(tests.page_id(tests.id('late'), 0)), null::uuid,
            'invisible')$$,
  'past 15 minutes: the failed book and email, and the order, the request and the task 20 minutes old'
);
select is(
  (select detail from stuck where status = 'book_failed'),
  format('the book could not be assembled (orders.book_error): select ops.retry_order(%L);',
         tests.id('failed_book_order')),
  'the failed book comes with the retry command'
);
select set_eq(
  'select kind, id from stuck_an_hour',
  $$values ('order_without_book', tests.id('failed_book_order')::text),
           ('email_failed', tests.id('failed_email_id')::text)$$,
  'past an hour: only the failures, which are listed whatever their age'
);
select is_empty(
  $$select 1 from stuck where stuck::text like '%buyer@example.com%' or stuck::text like '%Mia%'$$,
  'no row holds the buyer''s address or the child''s name'
);

select * from finish();
rollback;
