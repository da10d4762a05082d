-- An operator's retry never emails a book twice. A delivered order is refused with TC409, and so is an order
-- whose email failed on an idempotency conflict (Resend holds another email under its key, which may have
-- gone): both hints name ops.resend_book_email, the deliberate resend under a new key. Nothing is queued.
-- Anon, the buyer and another user cannot retry an order.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('delivered_story', tests.create_preview(tests.id('owner')));
select tests.remember('conflict_story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('delivered_story'));
select tests.draw_preview(tests.id('conflict_story'));
select tests.remember('delivered', tests.deliver(tests.id('delivered_story'), '1001'));
select tests.remember('conflict', tests.buy_and_print(tests.id('conflict_story'), '1002'));
select tests.assemble_book(tests.id('conflict'));
select tests.fail_email(tests.id('conflict'),
  'idempotency_conflict: Resend holds another email under this idempotency key; it may have been sent, '
  || 'so it is not resent');

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.retry_order(%L)', tests.id('delivered')),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the buyer and another user cannot retry the order'
);

select tests.authenticate_as_service();
select is(
  tests.error_of(format('select ops.retry_order(%L)', tests.id('delivered'))) - 'message',
  jsonb_build_object('sqlstate', 'TC409',
                     'hint', format('to send it again: select ops.resend_book_email(%L);', tests.id('delivered'))),
  'a delivered order is refused, pointing to the resend'
);
select is(
  tests.error_of(format('select ops.retry_order(%L)', tests.id('conflict'))),
  jsonb_build_object(
    'sqlstate', 'TC409',
    'message', format('the email of order %s failed on an idempotency conflict: Resend may have sent it',
                      tests.id('conflict')),
    'hint', format('to send a new copy under a new key: select ops.resend_book_email(%L);', tests.id('conflict'))
  ),
  'an email that may have gone is refused, pointing to the resend'
);
select tests.clear_authentication();

select results_eq(
  $$select (select count(*) from internal.email_outbox where status <> 'queued'),
           (select count(*) from internal.email_outbox), (select count(*) from pgmq.q_email_tasks),
           (select count(*) from internal.operator_actions)$$,
  $$values (2::bigint, 2::bigint, 0::bigint, 0::bigint)$$,
  'no email is queued and nothing is recorded'
);

select * from finish();
rollback;
