-- A queue whose oldest message is older than its limit (internal.health_settings, per queue, or the default for
-- a queue it does not name) is backed up: health names it as a reason. An operator raises a limit with an UPDATE.
begin;
select plan(5);

-- The queues' reasons only: no cron job has run in a test database, so every job is overdue too.
create function pg_temp.queue_reasons()
returns jsonb
language sql
set search_path = ''
as $$
  select jsonb_path_query_array(internal.health_snapshot() -> 'reasons', '$[*] ? (@.code == "queue_backlog")')
$$;

select pgmq.send('email_tasks', '{"email_id": "00000000-0000-0000-0000-000000000001"}');
update pgmq.q_email_tasks set enqueued_at = now() - interval '1800 seconds';
select is(pg_temp.queue_reasons(), '[]', 'an email task exactly as old as the limit (1800 s) is still within it');

update pgmq.q_email_tasks set enqueued_at = now() - interval '1801 seconds';
select is(
  pg_temp.queue_reasons(),
  '[{"code": "queue_backlog", "message": "Queue email_tasks: its oldest message is 1801 s old (limit 1800 s)."}]',
  'one second past it, the queue is backed up, with its age and its limit'
);

update internal.health_settings set queue_max_age_seconds = queue_max_age_seconds || '{"email_tasks": 7200}';
select is(pg_temp.queue_reasons(), '[]', 'an operator who allows emails two hours makes it no reason');

-- A queue the settings do not name gets the default limit.
select pgmq.create('probe_tasks');
select pgmq.send('probe_tasks', '{}');
update pgmq.q_probe_tasks set enqueued_at = now() - interval '901 seconds';
select is(
  pg_temp.queue_reasons() -> 0 ->> 'message',
  'Queue probe_tasks: its oldest message is 901 s old (limit 900 s).',
  'a queue with no limit of its own is held to default_queue_max_age_seconds'
);

select throws_ok(
  $$update internal.health_settings set queue_max_age_seconds = '{"email_tasks": "soon"}'$$,
  '23514', null, 'a limit must be a positive whole number of seconds'
);

select * from finish();
rollback;
