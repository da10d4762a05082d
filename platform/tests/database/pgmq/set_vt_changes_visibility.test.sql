-- set_vt moves a message's visibility timeout: 0 releases it now, N hides it for N seconds.
begin;
select plan(4);

select pgmq.create('timeouts');
create temp table sent as select pgmq.send('timeouts', '{"n": 1}') as msg_id;
select pgmq.read('timeouts', 30, 1);

select is(
  (select msg_id from pgmq.set_vt('timeouts', (select msg_id from sent), 0)),
  (select msg_id from sent),
  'set_vt returns the message'
);
select is(
  (select read_ct from pgmq.read('timeouts', 30, 1)), 2,
  'a message released with vt 0 is delivered again at once'
);

select pgmq.set_vt('timeouts', (select msg_id from sent), 120);
select ok(
  (select vt between clock_timestamp() + interval '119 seconds' and clock_timestamp() + interval '121 seconds'
   from pgmq.q_timeouts),
  'set_vt sets the vt that many seconds from now'
);
select is_empty(
  $$ select * from pgmq.set_vt('timeouts', -1, 10) $$, 'set_vt of an unknown message returns nothing'
);

select * from finish();
rollback;
