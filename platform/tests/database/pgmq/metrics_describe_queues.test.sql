-- metrics reports a queue's length, message ages and the number of messages ever sent.
begin;
select plan(5);

select pgmq.create('measured');
select pgmq.create('idle');
select pgmq.send_batch('measured', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]);
select pgmq.delete('measured', (select min(msg_id) from pgmq.q_measured));
update pgmq.q_measured set enqueued_at = now() - interval '90 seconds'
  where msg_id = (select min(msg_id) from pgmq.q_measured);

select is(
  (select row(queue_name, queue_length, total_messages)::text from pgmq.metrics('measured')),
  row('measured', 2, 3)::text,
  'queue_length counts queued messages and total_messages every message sent'
);
select is(
  (select row(oldest_msg_age_sec, newest_msg_age_sec)::text from pgmq.metrics('measured')),
  row(90, 0)::text,
  'message ages are measured from enqueued_at'
);
select is((select scrape_time from pgmq.metrics('measured')), now(), 'scrape_time is now()');
select is(
  (select row(queue_length, total_messages, oldest_msg_age_sec)::text from pgmq.metrics('idle')),
  row(0, 0, null)::text,
  'a queue that never received a message reports zeros and no age'
);
select set_eq(
  $$ select queue_name from pgmq.metrics_all() $$,
  $$ select queue_name from pgmq.list_queues() $$,
  'metrics_all covers every queue'
);

select * from finish();
rollback;
