-- The ownership, RLS, grant and function-security shape that migrations written for hosted Supabase rely on.
begin;
select plan(15);

select schema_owner_is('auth', 'supabase_admin', 'schema auth belongs to supabase_admin');
select schema_owner_is('storage', 'supabase_admin', 'schema storage belongs to supabase_admin');
select schema_owner_is('realtime', 'supabase_admin', 'schema realtime belongs to supabase_admin');
select schema_owner_is('vault', 'supabase_admin', 'schema vault belongs to supabase_admin');

select table_owner_is('auth', 'users', 'supabase_auth_admin', 'auth.users belongs to supabase_auth_admin');
select table_owner_is('storage', 'objects', 'supabase_storage_admin', 'storage.objects belongs to supabase_storage_admin');
select table_owner_is('storage', 'buckets', 'supabase_storage_admin', 'storage.buckets belongs to supabase_storage_admin');
select table_owner_is('realtime', 'messages', 'supabase_realtime_admin', 'realtime.messages belongs to supabase_realtime_admin');

select is(
  (select pg_catalog.array_agg(c.oid::regclass::text order by c.oid::regclass::text)
   from pg_catalog.pg_class c
   where c.oid in ('auth.users'::regclass, 'storage.objects'::regclass, 'storage.buckets'::regclass,
                   'realtime.messages'::regclass)
     and c.relrowsecurity),
  array['auth.users', 'realtime.messages', 'storage.buckets', 'storage.objects'],
  'RLS is enabled on auth.users, storage.objects, storage.buckets and realtime.messages'
);

select ok(
  pg_catalog.has_table_privilege('authenticated', 'storage.objects', 'select, insert, update, delete'),
  'authenticated has all privileges on storage.objects (RLS decides)'
);
select ok(
  pg_catalog.has_table_privilege('anon', 'storage.buckets', 'select, insert, update, delete'),
  'anon has all privileges on storage.buckets (RLS decides)'
);
select ok(
  pg_catalog.has_table_privilege('authenticated', 'realtime.messages', 'select, insert, update')
    and not pg_catalog.has_table_privilege('authenticated', 'realtime.messages', 'delete'),
  'authenticated may insert, select and update realtime.messages, not delete'
);

select ok(
  (select bool_and(p.prosecdef = false)
   from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('auth', 'storage', 'realtime')),
  'auth, storage and realtime functions are all security invoker'
);
select ok(
  (select bool_and(pg_catalog.array_to_string(p.proconfig, ',') = 'search_path=""')
   from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('auth', 'storage', 'realtime', 'vault')),
  'every bootstrap function pins an empty search_path'
);
select is(
  (select pg_catalog.array_agg(p.proname::text order by p.proname)
   from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'vault' and p.prosecdef),
  array['create_secret', 'update_secret'],
  'only vault.create_secret and vault.update_secret are security definer'
);

select * from finish();
rollback;
