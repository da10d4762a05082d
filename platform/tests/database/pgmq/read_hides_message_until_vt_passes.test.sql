-- A message read with vt 30 stays invisible to other reads until its visibility timeout passes.
begin;
select plan(4);

select pgmq.create('visibility');
create temp table sent as select pgmq.send('visibility', '{"order": 1}') as msg_id;

select is(
  (select array_agg(msg_id) from pgmq.read('visibility', 30, 10)),
  (select array_agg(msg_id) from sent),
  'the first read gets the message'
);
select is_empty(
  $$ select * from pgmq.read('visibility', 30, 10) $$,
  'a second read while the vt runs gets nothing'
);
select ok(
  (select vt between clock_timestamp() + interval '29 seconds' and clock_timestamp() + interval '31 seconds'
   from pgmq.q_visibility),
  'the vt is 30 seconds from the read'
);

-- Make the vt pass without waiting.
update pgmq.q_visibility set vt = clock_timestamp() - interval '1 second';

select is(
  (select array_agg(msg_id) from pgmq.read('visibility', 30, 10)),
  (select array_agg(msg_id) from sent),
  'once the vt has passed the message is delivered again'
);

select * from finish();
rollback;
