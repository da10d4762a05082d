-- Roles, the extensions schema and default privileges, as Supabase's Postgres image creates them before any
-- project migration runs. Run as the bootstrap superuser (supabase_admin) on every platform database.
-- Idempotent: roles are cluster-wide and every database of the cluster runs this file.

-- ---------------------------------------------------------------------------------------------------------
-- Cluster-wide roles
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  role_spec record;
begin
  for role_spec in
    select * from (values
      ('anon',                     'nologin'),
      ('authenticated',            'nologin'),
      ('service_role',             'nologin bypassrls'),
      ('authenticator',            'login noinherit'),
      ('postgres',                 'login'),
      ('supabase_auth_admin',      'nologin noinherit createrole'),
      ('supabase_storage_admin',   'nologin noinherit createrole'),
      ('supabase_realtime_admin',  'nologin noinherit'),
      ('supabase_functions_admin', 'nologin noinherit createrole'),
      ('dashboard_user',           'nologin createrole createdb replication')
    ) as r(name, options)
  loop
    if not exists (select from pg_catalog.pg_roles where rolname = role_spec.name) then
      execute format('create role %I %s', role_spec.name, role_spec.options);
    end if;
  end loop;
end
$$;

-- The API roles inherit since 2023 (migration alter_api_roles_for_inherit); authenticator does not.
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit bypassrls;
alter role authenticator noinherit login password 'postgres';

-- `postgres` is demoted on Supabase: migrations run without superuser, which this cluster reproduces so that a
-- migration needing superuser fails here as it would when pushed.
alter role postgres nosuperuser createdb createrole login replication bypassrls password 'postgres';

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
-- Migrations create policies on storage.objects and realtime.messages, which takes membership of their owners.
-- Since the 2024 lock-down of the auth schema, postgres is no longer a member of supabase_auth_admin.
grant supabase_storage_admin, supabase_realtime_admin to postgres;
revoke supabase_auth_admin from postgres;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role postgres set search_path to "$user", public, extensions;
alter role supabase_admin set search_path to "$user", public, auth, extensions;

-- ---------------------------------------------------------------------------------------------------------
-- This database
-- ---------------------------------------------------------------------------------------------------------
do $$
begin
  execute format('alter database %I owner to postgres', current_database());
  execute format('grant all on database %I to postgres', current_database());
end
$$;

create schema if not exists extensions authorization supabase_admin;
grant usage, create on schema extensions to postgres;
grant usage on schema extensions to anon, authenticated, service_role;

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
-- pgTAP is not trusted, so `supabase test db` creates it as an admin; here the bootstrap does.
create extension if not exists pgtap with schema extensions;

grant usage on schema public to postgres, anon, authenticated, service_role;

-- Hosted default privileges in public: objects created by postgres (migrations) or supabase_admin are granted
-- to the API roles. Row level security is what protects them, which is why every table enables it.
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on sequences to postgres, anon, authenticated, service_role;

do $$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
