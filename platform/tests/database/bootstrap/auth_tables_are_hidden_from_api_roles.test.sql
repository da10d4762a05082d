-- auth.* belongs to supabase_auth_admin; postgres may read it, the API roles may only call the claim helpers.
begin;
select plan(7);

select table_owner_is('auth', 'users', 'supabase_auth_admin', 'auth.users belongs to supabase_auth_admin');
select ok(pg_catalog.has_table_privilege('postgres', 'auth.users', 'select, references'),
  'postgres can read and reference auth.users');

set local role anon;
select throws_ok('select id from auth.users', '42501', null, 'anon cannot read auth.users');
select is(auth.uid(), null, 'anon can still call auth.uid()');
reset role;

set local role authenticated;
select throws_ok('select id from auth.sessions', '42501', null, 'authenticated cannot read auth.sessions');
reset role;

set local role service_role;
select throws_ok('select token from auth.refresh_tokens', '42501', null, 'service_role cannot read auth.refresh_tokens');
select lives_ok('select auth.role()', 'service_role can call auth.role()');
reset role;

select * from finish();
rollback;
