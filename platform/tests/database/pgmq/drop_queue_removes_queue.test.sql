-- drop_queue removes the queue's tables and its entry in pgmq.meta.
begin;
-- The notices of a repeated create/drop are expected.
set local client_min_messages = warning;
select plan(6);

select pgmq.create('dropped');
select pgmq.send('dropped', '{"n": 1}');

select ok(pgmq.drop_queue('dropped'), 'dropping an existing queue returns true');
select hasnt_table('pgmq', 'q_dropped', 'the queue table is gone');
select hasnt_table('pgmq', 'a_dropped', 'the archive table is gone');
select is_empty(
  $$ select * from pgmq.list_queues() where queue_name = 'dropped' $$, 'the queue is not listed'
);
select is(pgmq.drop_queue('dropped'), false, 'dropping it again returns false');
select lives_ok($$ select pgmq.create('dropped') $$, 'the name can be used again');

select * from finish();
rollback;
