-- Resending a delivered book's email makes a second outbox row under a key of its own,
-- book-ready/<order id>/resend-1, so that Resend sends it even within 24 hours of the first (which it would
-- swallow under the first key), and queues its task. The first row is left as it was. Asked again before the
-- resend went, it answers with the same email and queues nothing; once it went, a further resend is
-- resend-2. Each resend is recorded. Anon, the buyer and another user cannot resend.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('order', tests.deliver(tests.id('story'), '1001'));
select tests.remember('first', (select id from internal.email_outbox));

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.resend_book_email(%L)', tests.id('order')),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the buyer and another user cannot resend the email'
);

select tests.authenticate_as_service();
select tests.remember('resend', (ops.resend_book_email(tests.id('order')) ->> 'email_id')::uuid);
select is(
  ops.resend_book_email(tests.id('order')),
  jsonb_build_object('order_id', tests.id('order'), 'email_id', tests.id('resend'),
                     'idempotency_key', 'book-ready/' || tests.id('order') || '/resend-1', 'already_queued', true),
  'asked again before it went, the service role gets the same queued email back'
);
select tests.clear_authentication();

select results_eq(
  $$select id, send_number::int, idempotency_key, status from internal.email_outbox order by send_number$$,
  $$values (tests.id('first'), 0, 'book-ready/' || tests.id('order'), 'sent'),
           (tests.id('resend'), 1, 'book-ready/' || tests.id('order') || '/resend-1', 'queued')$$,
  'a second row is queued under a key of its own; the first stays sent under book-ready/<order id>'
);
select is(
  (select count(*) from pgmq.q_email_tasks where message ->> 'email_id' = tests.id('resend')::text), 1::bigint,
  'one task is queued for it'
);
select is(tests.send_email(tests.id('order')), tests.id('resend'), 'the email-worker sends the resend');

select tests.authenticate_as_service();
select is(
  ops.resend_book_email(tests.id('order')) ->> 'idempotency_key', 'book-ready/' || tests.id('order') || '/resend-2',
  'a further resend has the next key'
);
select tests.clear_authentication();

select results_eq(
  $$select action, order_id, outcome ->> 'idempotency_key' from internal.operator_actions order by id$$,
  $$values ('resend_book_email', tests.id('order'), 'book-ready/' || tests.id('order') || '/resend-1'),
           ('resend_book_email', tests.id('order'), 'book-ready/' || tests.id('order') || '/resend-2')$$,
  'each resend is recorded; the repeated call that queued nothing is not'
);

select * from finish();
rollback;
