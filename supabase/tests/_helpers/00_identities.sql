-- Test helpers: who the test is acting as. Loaded once per test database, as postgres, before the tests run.
--
-- A request reaches the database the way PostgREST, Storage and Realtime make it: a role switch
-- (anon, authenticated, service_role) and the verified JWT claims in `request.jwt.claims`. Both are set
-- transaction-locally, so each test's final rollback also forgets who it was acting as.

create schema if not exists tests;
-- The API roles call the switching helpers while acting as themselves (to switch back or to another user).
grant usage on schema tests to anon, authenticated, service_role;

create or replace function tests.create_user(p_email text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  new_user_id uuid := pg_catalog.gen_random_uuid();
begin
  -- The columns GoTrue fills for a confirmed e-mail user; the rest keep their defaults.
  insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data,
                          raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', new_user_id, 'authenticated', 'authenticated', p_email, now(),
          '{"provider": "email", "providers": ["email"]}', '{}', now(), now());
  return new_user_id;
end;
$$;

create or replace function tests.authenticate_as(p_user_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config(
    'request.jwt.claims',
    pg_catalog.jsonb_build_object('sub', p_user_id, 'role', 'authenticated', 'aud', 'authenticated')::text,
    true
  );
  perform pg_catalog.set_config('role', 'authenticated', true);
end;
$$;

create or replace function tests.authenticate_as_anon()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('request.jwt.claims', '{"role": "anon"}', true);
  perform pg_catalog.set_config('role', 'anon', true);
end;
$$;

create or replace function tests.authenticate_as_service()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('request.jwt.claims', '{"role": "service_role"}', true);
  perform pg_catalog.set_config('role', 'service_role', true);
end;
$$;

-- Back to the connection's own role (postgres), with no claims.
create or replace function tests.clear_authentication()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'none', true);
  perform pg_catalog.set_config('request.jwt.claims', '', true);
end;
$$;

-- Fixture ids by name, transaction-local, readable under any role and inside quoted pgTAP queries (where psql
-- variables are not substituted): `tests.remember('owner', tests.create_user(...))`, then `tests.id('owner')`.
create or replace function tests.remember(p_name text, p_id uuid)
returns uuid
language sql
set search_path = ''
as $$
  select pg_catalog.set_config('tests.id.' || p_name, p_id::text, true)::uuid
$$;

create or replace function tests.id(p_name text)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  remembered text := pg_catalog.current_setting('tests.id.' || p_name, true);
begin
  if coalesce(remembered, '') = '' then
    raise exception 'no fixture named "%" in this test', p_name;
  end if;
  return remembered::uuid;
end;
$$;

revoke all on function tests.remember(text, uuid), tests.id(text) from public;
grant execute on function tests.remember(text, uuid), tests.id(text) to anon, authenticated, service_role;

revoke all on function tests.create_user(text), tests.authenticate_as(uuid), tests.authenticate_as_anon(),
  tests.authenticate_as_service(), tests.clear_authentication() from public;
grant execute on function tests.authenticate_as(uuid), tests.authenticate_as_anon(), tests.authenticate_as_service(),
  tests.clear_authentication() to anon, authenticated, service_role;
