-- archive moves messages from the queue table to its archive table, keeping their fields.
begin;
select plan(7);

select pgmq.create('archiving');
create temp table sent as
  select msg_id
  from pgmq.send_batch('archiving', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as msg_id;
select pgmq.read('archiving', 30, 1);

select ok(pgmq.archive('archiving', (select min(msg_id) from sent)), 'archiving one message returns true');
select is(
  (select count(*)::int from pgmq.q_archiving where msg_id = (select min(msg_id) from sent)), 0,
  'the archived message left the queue'
);
select is(
  (select row(read_ct, message, archived_at = now())::text from pgmq.a_archiving),
  row(1, '{"n": 1}'::jsonb, true)::text,
  'the archive keeps read_ct and message and records archived_at'
);
select is(
  pgmq.archive('archiving', (select min(msg_id) from sent)), false,
  'archiving a message that is no longer queued returns false'
);
select set_eq(
  $$ select * from pgmq.archive('archiving', array(select msg_id from sent)) $$,
  $$ select msg_id from sent where msg_id > (select min(msg_id) from sent) $$,
  'archiving an array returns the ids that were archived'
);
select is((select count(*)::int from pgmq.q_archiving), 0, 'the queue is empty');
select is((select count(*)::int from pgmq.a_archiving), 3, 'the archive holds all three messages');

select * from finish();
rollback;
