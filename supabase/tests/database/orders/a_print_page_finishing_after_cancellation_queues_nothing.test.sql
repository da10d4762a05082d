-- A print cover that was being drawn when the order was cancelled finishes, as designed, but queues nothing:
-- the cancelled job's pages are failed, and complete_page queues pending pages only.
begin;
select plan(2);
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001');
select tests.remember('lease', tests.claim(tests.id('story'), 0));
select tests.cancel('1001');
select tests.complete(tests.id('story'), 0, tests.id('lease'));
select is(
  (select count(*) from public.story_pages where story_id = tests.id('story') and status = 'queued'), 0::bigint,
  'no page of the cancelled book is queued again'
);
select is_empty(
  $$select q.msg_id from pgmq.q_page_tasks q join public.story_pages p on p.id = (q.message ->> 'page_id')::uuid
     where p.story_id = tests.id('story')$$,
  'and no task is sent for it'
);
select * from finish();
rollback;
