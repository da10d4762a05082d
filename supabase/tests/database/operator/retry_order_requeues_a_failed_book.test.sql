-- A book the book-worker gave up on (orders.book_error) is assembled again when an operator retries its
-- order: the error is cleared, one new book task is queued for the order, and the answer says so. A second
-- retry finds the book on its way and changes nothing. The retry is recorded. Anon, the buyer and another
-- user cannot retry an order.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('order', tests.buy_and_print(tests.id('story'), '1001'));
select tests.fail_book(tests.id('order'));

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.retry_order(%L)', tests.id('order')),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the buyer and another user cannot retry the order'
);

select tests.authenticate_as_service();
select is(
  ops.retry_order(tests.id('order')),
  jsonb_build_object('order_id', tests.id('order'), 'step', 'book', 'previous_error', true),
  'the service role retries it: the book is to be assembled again'
);
select is(
  tests.error_of(format('select ops.retry_order(%L)', tests.id('order'))),
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('the book of order %s is being assembled: nothing has failed',
                                       tests.id('order')),
                     'hint', 'select * from ops.stuck_work(); lists it when it stops moving'),
  'a second retry finds the book on its way'
);
select tests.clear_authentication();

select is(
  (select book_error from public.orders where id = tests.id('order')), null,
  'the order''s error is cleared'
);
select is(
  (select count(*) from pgmq.q_book_tasks where message ->> 'order_id' = tests.id('order')::text), 1::bigint,
  'one book task is queued for the order'
);
select ok(tests.assemble_book(tests.id('order')), 'the book-worker keeps the book it assembles now');
select results_eq(
  $$select action, order_id, story_id, page_id, outcome ->> 'step', performed_by from internal.operator_actions$$,
  $$values ('retry_order', tests.id('order'), tests.id('story'), null::uuid, 'book', 'postgres')$$,
  'the retry is recorded once, with the login role as the operator'
);

select * from finish();
rollback;
