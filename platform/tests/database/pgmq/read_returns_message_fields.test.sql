-- read returns msg_id, read_ct, enqueued_at, vt and message, oldest first, at most qty of them.
begin;
select plan(4);

select pgmq.create('fields');
create temp table sent as
  select msg_id from pgmq.send_batch('fields', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as msg_id;

create temp table delivered as select * from pgmq.read('fields', 30, 2);

select is(
  (select array_agg(message->>'n' order by msg_id) from delivered),
  array['1', '2'],
  'the oldest messages come first, qty at most'
);
select is(
  (select array_agg(msg_id order by msg_id) from delivered),
  (select (array_agg(msg_id order by msg_id))[1:2] from sent),
  'msg_id is the id send returned'
);
select ok(
  (select bool_and(enqueued_at = now()) from delivered), 'enqueued_at is the sending transaction''s start'
);
select is(
  (select array_agg(attname::text order by attnum) from pg_attribute
   where attrelid = 'pgmq.message_record'::regclass and attnum > 0),
  array['msg_id', 'read_ct', 'enqueued_at', 'vt', 'message'],
  'message_record has the documented columns'
);

select * from finish();
rollback;
