-- A migration run as postgres can create and use queues, which it then owns; the API roles get nothing.
begin;
-- The notices of a repeated create/drop are expected.
set local client_min_messages = warning;
select plan(9);

set local role postgres;

select lives_ok($$ create extension if not exists pgmq $$, 'create extension if not exists pgmq is a no-op');
select lives_ok($$ select pgmq.create('migration_jobs') $$, 'postgres creates a queue');
select lives_ok($$ select pgmq.create('migration_jobs') $$, 'creating the same queue again is harmless');
select lives_ok($$ select pgmq.create_unlogged('migration_fast') $$, 'postgres creates an unlogged queue');
select lives_ok(
  $$ select pgmq.send('migration_jobs', '{"id": 1}'), pgmq.read('migration_jobs', 30, 1),
            pgmq.metrics('migration_jobs'), pgmq.purge_queue('migration_jobs') $$,
  'postgres sends, reads and measures'
);
select is(
  (select array_agg(tableowner::text order by tablename) from pg_tables
   where schemaname = 'pgmq' and tablename like '%migration_%'),
  array['postgres', 'postgres', 'postgres', 'postgres'],
  'the queue tables belong to postgres'
);
select is(
  (select relpersistence from pg_class where oid = 'pgmq.q_migration_fast'::regclass), 'u',
  'create_unlogged makes the queue table unlogged'
);
select ok(
  not has_schema_privilege('anon', 'pgmq', 'usage')
    and not has_schema_privilege('authenticated', 'pgmq', 'usage'),
  'anon and authenticated cannot use the pgmq schema'
);

set local role authenticated;
select throws_ok(
  $$ select pgmq.send('migration_jobs', '{"id": 2}') $$, '42501', null,
  'authenticated cannot send to a queue'
);

select * from finish();
rollback;
