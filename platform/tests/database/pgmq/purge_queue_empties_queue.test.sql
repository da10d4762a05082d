-- purge_queue deletes every message of a queue and returns how many there were.
begin;
select plan(4);

select pgmq.create('purged');
select pgmq.send_batch('purged', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]);
select pgmq.archive('purged', (select min(msg_id) from pgmq.q_purged));

select is(pgmq.purge_queue('purged'), 2::bigint, 'purge_queue returns the number of messages purged');
select is((select count(*)::int from pgmq.q_purged), 0, 'the queue is empty');
select is((select count(*)::int from pgmq.a_purged), 1, 'the archive is left alone');
select is(pgmq.purge_queue('purged'), 0::bigint, 'purging an empty queue returns 0');

select * from finish();
rollback;
