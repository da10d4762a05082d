-- The dispatcher hands out no more tasks than the concurrency budget allows, counting the pages already in
-- flight; a task left over is handed out once a slot frees.
begin;
select plan(4);

update internal.pipeline_settings set max_concurrent_pages = 2;
select tests.remember('first', tests.create_preview(tests.create_user('first@example.com')));
select tests.remember('second', tests.create_preview(tests.create_user('second@example.com')));
select tests.remember('third', tests.create_preview(tests.create_user('third@example.com')));
select tests.remember('third_cover', tests.page_id(tests.id('third'), 0));

select is((select count(*) from net.http_request_queue), 2::bigint, 'two covers are handed to the worker');
select is(
  (select read_ct from pgmq.q_page_tasks where message ->> 'page_id' = tests.id('third_cover')::text),
  0,
  'the third cover waits in the queue, unread'
);
select is(internal.dispatch_page_tasks(), 0, 'a dispatch while both slots are taken hands out nothing');

select tests.draw_page(tests.id('first'), 0);
select is(
  (select count(*) from net.http_request_queue where convert_from(body, 'utf8')::jsonb ->> 'page_id' = tests.id('third_cover')::text),
  1::bigint,
  'once the first cover is done, the third cover is handed out'
);

select * from finish();
rollback;
