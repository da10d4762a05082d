-- The bootstrap is re-applied to databases that already have it. Re-running the files needs supabase_admin, so
-- the runner applies them (again) before pg_prove; this test then checks that nothing was created twice: no two
-- indexes, triggers or constraints on a bootstrap table are the same apart from their names. It holds on the
-- project database too, whatever migrations added.
begin;
select plan(5);

create function pg_temp.bootstrap_tables()
returns setof regclass
language sql
stable
set search_path = ''
as $$
  select unnest(array[
    'auth.users', 'auth.identities', 'auth.sessions', 'auth.refresh_tokens',
    'storage.buckets', 'storage.objects', 'storage.migrations',
    'realtime.messages', 'realtime.messages_default', 'vault.secrets'
  ]::regclass[])
$$;

select is_empty(
  $$select i.indrelid::regclass, pg_catalog.regexp_replace(pg_catalog.pg_get_indexdef(i.indexrelid), 'INDEX \S+ ON', 'INDEX ON')
    from pg_catalog.pg_index i
    where i.indrelid in (select pg_temp.bootstrap_tables())
    group by 1, 2 having count(*) > 1$$,
  'no bootstrap table has two identical indexes'
);
select is_empty(
  $$select t.tgrelid::regclass, t.tgfoid, t.tgtype, t.tgattr
    from pg_catalog.pg_trigger t
    where t.tgrelid in (select pg_temp.bootstrap_tables()) and not t.tgisinternal and t.tgparentid = 0
    group by 1, 2, 3, 4 having count(*) > 1$$,
  'no bootstrap table has two identical triggers'
);
select is_empty(
  $$select c.conrelid::regclass, c.contype, pg_catalog.pg_get_constraintdef(c.oid)
    from pg_catalog.pg_constraint c
    where c.conrelid in (select pg_temp.bootstrap_tables())
    group by 1, 2, 3 having count(*) > 1$$,
  'no bootstrap table has two identical constraints'
);
select is(
  (select count(*) from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
   where i.inhparent = 'realtime.messages'::regclass and pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'),
  1::bigint,
  'realtime.messages keeps its default partition'
);
select is(
  (select count(*) from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
   where (n.nspname, t.typname) in (('storage', 'buckettype'), ('auth', 'aal_level'))),
  2::bigint,
  'the enum types exist once each'
);

select * from finish();
rollback;
