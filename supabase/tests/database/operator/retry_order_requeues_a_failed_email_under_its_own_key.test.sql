-- A book-ready email that failed for good (Resend refused it) is sent again when an operator retries its
-- order: the same outbox row is queued again with fresh attempts and its own idempotency key,
-- book-ready/<order id>, so that Resend never sends it twice should the first have gone after all. No second
-- row is made. Anon, the buyer and another user cannot retry an order.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('order', tests.buy_and_print(tests.id('story'), '1001'));
select tests.assemble_book(tests.id('order'));
select tests.remember('email', tests.fail_email(tests.id('order')));

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.retry_order(%L)', tests.id('order')),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the buyer and another user cannot retry the order'
);

select tests.authenticate_as_service();
select is(
  ops.retry_order(tests.id('order')),
  jsonb_build_object('order_id', tests.id('order'), 'step', 'email', 'email_id', tests.id('email'),
                     'idempotency_key', 'book-ready/' || tests.id('order')),
  'the service role retries it: the email is to be sent again under its own key'
);
select tests.clear_authentication();

select results_eq(
  $$select id, idempotency_key, status, attempts::int, last_error from internal.email_outbox$$,
  $$values (tests.id('email'), 'book-ready/' || tests.id('order'), 'queued', 0, null::text)$$,
  'the one outbox row is queued again, with fresh attempts and its error cleared'
);
select isnt((select msg_id from tests.newest_email(tests.id('order'))), null, 'its task is in the queue');
select is(tests.send_email(tests.id('order')), tests.id('email'), 'the email-worker sends it');
select isnt(
  (select delivered_at from public.orders where id = tests.id('order')), null, 'and the order is delivered'
);

select * from finish();
rollback;
