-- Every pgmq queue is reported with its depth (messages in it, visible or not), the age in seconds of its oldest
-- message (null when it is empty) and the age past which it counts as backed up.
begin;
select plan(3);

select pgmq.send('book_tasks', '{"order_id": "00000000-0000-0000-0000-000000000001"}');
select pgmq.send('book_tasks', '{"order_id": "00000000-0000-0000-0000-000000000002"}');
-- The first was sent five minutes ago; a worker has it now (invisible), and it still counts.
update pgmq.q_book_tasks set enqueued_at = now() - interval '300 seconds', vt = now() + interval '150 seconds'
 where msg_id = (select min(msg_id) from pgmq.q_book_tasks);

select results_eq(
  $$select q ->> 'name', (q ->> 'depth')::integer, (q ->> 'oldest_message_age_seconds')::integer,
           (q ->> 'max_age_seconds')::integer
      from jsonb_array_elements(internal.health_snapshot() -> 'queues') q$$,
  $$values ('book_tasks', 2, 300, 1800), ('email_tasks', 0, null, 1800), ('page_tasks', 0, null, 3600)$$,
  'each queue, by name: its depth, its oldest message''s age, and its limit'
);
select is(
  jsonb_path_query_array(internal.health_snapshot() -> 'reasons', '$[*] ? (@.code == "queue_backlog")'), '[]',
  'a five-minute-old book task is no reason to worry'
);
select is(
  (select sum(read_ct)::integer from pgmq.q_book_tasks),
  0,
  'reading the snapshot reads no message of the queue'
);

select * from finish();
rollback;
