-- A page task still in the queue when its story is erased (pages 1–5 dispatched, page 2 being drawn) is dropped
-- when it is delivered: claim_page finds the page missing and deletes the message, and the dispatcher no longer
-- counts the erased pages against the concurrency budget.
begin;
select plan(5);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.draw_page(tests.id('story'), 0);
select tests.remember('page_1', tests.page_id(tests.id('story'), 1));
select tests.claim(tests.id('story'), 2);

select ok(tests.message_id(tests.id('page_1')) is not null, 'page 1 has a task in the queue');
select ok(
  (select count(*) from internal.page_renders where lease_expires_at > now()) > 0,
  'the story''s dispatched pages hold slots of the concurrency budget'
);
create temporary table task on commit drop as select tests.message_id(tests.id('page_1')) as msg_id;

select internal.erase_user_data(tests.id('parent'));

select results_eq(
  $$select outcome from internal.claim_page(tests.id('page_1'), (select msg_id from task))$$,
  $$values ('missing')$$,
  'claiming the erased page''s task says it is missing'
);
select is_empty(
  'select * from pgmq.q_page_tasks where msg_id = (select msg_id from task)',
  'and its message is deleted from the queue'
);
select is(
  (select count(*) from internal.page_renders where lease_expires_at > now()), 0::bigint,
  'no lease of the erased pages holds a slot of the concurrency budget'
);

select * from finish();
rollback;
