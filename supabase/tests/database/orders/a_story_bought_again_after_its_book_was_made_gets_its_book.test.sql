-- A story whose book was made, then whose order was cancelled, bought again: its print pictures are still
-- there (the cancelled order's print job stays completed), so the new order gets its book at once, without a
-- second print run; a repeated notice of that order queues nothing more.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');
select tests.remember('print_job', tests.print_job_id(tests.id('story')));
select tests.draw_print_job(tests.id('story'));
select ok(tests.assemble_book(tests.order_id('1001')), 'the first order got its book');
select tests.cancel('1001');

select is(
  tests.pay(tests.id('story')::text, '1002', '7001', 'owner@example.com'), 'order_created',
  'the story bought again is an order like any other'
);
select results_eq(
  $$select id = tests.id('print_job'), status::text from public.generation_jobs
     where story_id = tests.id('story') and kind = 'print'$$,
  $$values (true, 'completed')$$,
  'the completed print job is kept: nothing is drawn again'
);
select isnt(tests.book_message_id(tests.order_id('1002')), null, 'the new order''s book is queued');

select tests.pay(tests.id('story')::text, '1002', '7001', 'owner@example.com');
select is(
  (select count(*) from pgmq.q_book_tasks where message ->> 'order_id' = tests.order_id('1002')::text),
  1::bigint,
  'a repeated notice of the new order queues no second book'
);

select * from finish();
rollback;
