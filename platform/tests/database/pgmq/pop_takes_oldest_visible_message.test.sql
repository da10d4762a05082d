-- pop deletes and returns the oldest visible message, without counting a read.
begin;
select plan(4);

select pgmq.create('popping');
create temp table sent as
  select msg_id from pgmq.send_batch('popping', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as msg_id;
-- Hide the oldest message, as a read in progress would.
select pgmq.set_vt('popping', (select min(msg_id) from sent), 30);

select is(
  (select row(message, read_ct)::text from pgmq.pop('popping')),
  row('{"n": 2}'::jsonb, 0)::text,
  'pop returns the oldest visible message with its read_ct unchanged'
);
select is(
  (select array_agg(message->>'n' order by msg_id) from pgmq.q_popping), array['1', '3'],
  'the popped message is gone from the queue'
);
select is((select message from pgmq.pop('popping')), '{"n": 3}'::jsonb, 'the next pop takes the next one');
select is_empty($$ select * from pgmq.pop('popping') $$, 'pop returns nothing when nothing is visible');

select * from finish();
rollback;
