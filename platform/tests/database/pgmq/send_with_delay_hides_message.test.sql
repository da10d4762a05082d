-- send with a delay makes the message visible only once the delay has passed.
begin;
select plan(3);

select pgmq.create('delayed');
select pgmq.send('delayed', '{"n": 1}', 60);

select is_empty($$ select * from pgmq.read('delayed', 30, 10) $$, 'a delayed message is not readable yet');
select ok(
  (select vt between clock_timestamp() + interval '59 seconds' and clock_timestamp() + interval '61 seconds'
   from pgmq.q_delayed),
  'its vt is the delay from now'
);

update pgmq.q_delayed set vt = clock_timestamp() - interval '1 second';
select is(
  (select message from pgmq.read('delayed', 30, 10)), '{"n": 1}'::jsonb,
  'once the delay has passed it is delivered'
);

select * from finish();
rollback;
