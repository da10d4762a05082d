-- Each queue's depth, the age of its oldest message (0 when empty, as a gauge has no null) and the messages ever
-- sent to it (a counter: pgmq's own sequence, so deleted messages still count).
begin;
select plan(2);

-- A queue of this test's own: a sequence is not rolled back, so the project's queues carry other tests' sends.
select pgmq.create('probe_tasks');
select pgmq.send('probe_tasks', '{"n": 1}');
select pgmq.send('probe_tasks', '{"n": 2}');
select pgmq.send('probe_tasks', '{"n": 3}');
select pgmq.delete('probe_tasks', (select min(msg_id) from pgmq.q_probe_tasks));
update pgmq.q_probe_tasks set enqueued_at = now() - interval '42 seconds';

select results_eq(
  $$select (q ->> 'depth')::integer, (q ->> 'oldest_message_age_seconds')::integer, (q ->> 'messages_total')::integer
      from jsonb_array_elements(internal.metrics_snapshot('{1}', '{1}') -> 'queues') q
     where q ->> 'queue' = 'probe_tasks'$$,
  $$values (2, 42, 3)$$,
  'messages in the queue, the oldest one''s age, and every message ever sent to it'
);
select results_eq(
  $$select q ->> 'queue', (q ->> 'depth')::integer, (q ->> 'oldest_message_age_seconds')::integer
      from jsonb_array_elements(internal.metrics_snapshot('{1}', '{1}') -> 'queues') q
     where q ->> 'queue' <> 'probe_tasks'$$,
  $$values ('book_tasks', 0, 0), ('email_tasks', 0, 0), ('page_tasks', 0, 0)$$,
  'every queue is listed by name; an empty one is 0 messages, 0 seconds old'
);

select * from finish();
rollback;
