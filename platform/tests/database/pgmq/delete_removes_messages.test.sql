-- delete removes one message (boolean) or several (the ids actually deleted).
begin;
select plan(5);

select pgmq.create('deleting');
create temp table sent as
  select msg_id
  from pgmq.send_batch('deleting', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as msg_id;

select ok(pgmq.delete('deleting', (select min(msg_id) from sent)), 'deleting a queued message returns true');
select is(
  pgmq.delete('deleting', (select min(msg_id) from sent)), false, 'deleting it again returns false'
);
select set_eq(
  $$ select * from pgmq.delete('deleting', array(select msg_id from sent) || array[-1::bigint]) $$,
  $$ select msg_id from sent where msg_id > (select min(msg_id) from sent) $$,
  'deleting an array returns only the ids that were deleted'
);
select is((select count(*)::int from pgmq.q_deleting), 0, 'the queue is empty');
select is((select count(*)::int from pgmq.a_deleting), 0, 'deleted messages are not archived');

select * from finish();
rollback;
