-- The `storage` schema as hosted Supabase has it once the Postgres image and the Storage API's own migrations have
-- run, so that project migrations written for hosted Supabase (`insert into storage.buckets`, policies on
-- `storage.objects` using `storage.foldername(name)`) apply unchanged. The bytes themselves live with the Storage
-- HTTP stand-in of the platform process, which reads and writes these rows as the caller so that RLS applies.
--
-- Runs as supabase_admin after 00_roles.sql, on every platform database, every time the bootstrap changes:
-- everything here is idempotent and never drops user data.
--
-- Ownership follows hosted: the schema belongs to supabase_admin, the tables, type and functions to
-- supabase_storage_admin. `postgres` is a member of supabase_storage_admin (00_roles.sql), which is what lets a
-- migration create policies on storage.objects without owning it.

create schema if not exists storage authorization supabase_admin;
grant all on schema storage to supabase_storage_admin;
grant usage on schema storage to anon, authenticated, service_role;
-- hosted grants postgres everything on storage when it demotes it from superuser
grant all on schema storage to postgres;

-- ---------------------------------------------------------------------------------------------------------
-- Types and tables
-- ---------------------------------------------------------------------------------------------------------
do $$
begin
  if not exists (
    select from pg_catalog.pg_type t
    join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'storage' and t.typname = 'buckettype'
  ) then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end
$$;
alter type storage.buckettype owner to supabase_storage_admin;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  -- deprecated upstream in favour of owner_id; kept because older clients and policies still read it
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  -- bytes; enforced by the Storage HTTP stand-in on upload, as the Storage API does, not by SQL
  file_size_limit bigint,
  -- enforced by the Storage HTTP stand-in on upload (exact types and `image/*` wildcards)
  allowed_mime_types text[],
  owner_id text,
  type storage.buckettype not null default 'STANDARD'
);
create unique index if not exists bname on storage.buckets using btree (name);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text constraint "objects_bucketId_fkey" references storage.buckets (id),
  name text,
  -- deprecated upstream in favour of owner_id; the Storage API still fills both with the caller's `sub`
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  -- written by the Storage API: {eTag, size, mimetype, cacheControl, lastModified, contentLength, httpStatusCode}
  metadata jsonb,
  path_tokens text[] generated always as (pg_catalog.string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  -- the `metadata` option of storage-js upload(), stored as given
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects using btree (name text_pattern_ops);
create index if not exists idx_objects_bucket_id_name on storage.objects using btree (bucket_id, name collate "C");

-- The Storage API records its own schema migrations here; the stand-in has none to record, but hosted projects
-- have the table and tooling may look for it.
create table if not exists storage.migrations (
  id integer not null primary key,
  name varchar(100) not null unique,
  hash varchar(40) not null,
  executed_at timestamp default current_timestamp
);

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter table storage.migrations owner to supabase_storage_admin;

-- No policies: service_role and postgres bypass RLS, everyone else sees nothing until a migration adds policies.
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

grant all on table storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on table storage.buckets, storage.objects, storage.migrations to postgres;

-- ---------------------------------------------------------------------------------------------------------
-- Path helpers used by policies, e.g. `(storage.foldername(name))[1] = (select auth.uid()::text)`
-- ---------------------------------------------------------------------------------------------------------

-- Every path segment but the last: 'a/b/c.png' -> {a,b}; a name without '/' has no folders ({}).
create or replace function storage.foldername(name text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select tokens[1 : pg_catalog.array_length(tokens, 1) - 1]
  from (select pg_catalog.string_to_array(name, '/') as tokens) as split
$$;

-- The last path segment: 'a/b/c.png' -> 'c.png'.
create or replace function storage.filename(name text)
returns text
language sql
immutable
set search_path = ''
as $$
  select tokens[pg_catalog.array_length(tokens, 1)]
  from (select pg_catalog.string_to_array(name, '/') as tokens) as split
$$;

-- What follows the last '.' of the last segment: 'a/b/c.tar.gz' -> 'gz'. A segment without a dot yields the
-- whole segment, as hosted does, so policies comparing extensions must not assume a dot exists.
create or replace function storage.extension(name text)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.reverse(pg_catalog.split_part(pg_catalog.reverse(storage.filename(name)), '.', 1))
$$;

-- The Storage API sets `storage.operation` per request (e.g. 'storage.object.upload'); policies may branch on it.
create or replace function storage.operation()
returns text
language sql
stable
set search_path = ''
as $$
  select pg_catalog.current_setting('storage.operation', true)
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Listing: what storage-js `list(prefix, { limit, offset, sortBy, search })` reads, with the caller's RLS.
-- `levels` is the depth listed (the number of '/'-separated segments of the prefix + 1 when the prefix ends
-- with '/'). Entries deeper than `levels` collapse into their folder at that level, returned with a null id
-- and null metadata, as the Storage API returns folders.
-- The prefix and search text are matched case-insensitively and literally (no LIKE wildcards).
-- ---------------------------------------------------------------------------------------------------------
create or replace function storage.search(
  prefix text,
  bucketname text,
  limits integer default 100,
  levels integer default 1,
  offsets integer default 0,
  search text default '',
  sortcolumn text default 'name',
  sortorder text default 'asc'
)
returns table (
  name text,
  id uuid,
  updated_at timestamptz,
  created_at timestamptz,
  last_accessed_at timestamptz,
  metadata jsonb
)
language plpgsql
stable
set search_path = ''
as $$
declare
  wanted_column text := pg_catalog.lower(coalesce(sortcolumn, 'name'));
  wanted_order text := pg_catalog.lower(coalesce(sortorder, 'asc'));
begin
  if wanted_column not in ('name', 'updated_at', 'created_at', 'last_accessed_at') then
    raise exception 'storage.search: cannot sort by "%"', sortcolumn
      using errcode = '22023', hint = 'Sort by name, updated_at, created_at or last_accessed_at.';
  end if;
  if wanted_order not in ('asc', 'desc') then
    raise exception 'storage.search: sort order must be asc or desc, not "%"', sortorder using errcode = '22023';
  end if;

  return query
  with matching as (
    select o.path_tokens[levels] as entry, o.path_tokens, o.id, o.updated_at, o.created_at, o.last_accessed_at,
           o.metadata
    from storage.objects as o
    where o.bucket_id = bucketname
      and pg_catalog.starts_with(pg_catalog.lower(o.name), pg_catalog.lower(coalesce(prefix, '') || coalesce(search, '')))
      and pg_catalog.array_length(o.path_tokens, 1) >= levels
  ),
  entries as (
    -- a file sits exactly at the listed level; anything deeper is represented by its folder
    select m.entry as name,
           (pg_catalog.array_agg(m.id) filter (where pg_catalog.array_length(m.path_tokens, 1) = levels))[1] as id,
           pg_catalog.max(m.updated_at) filter (where pg_catalog.array_length(m.path_tokens, 1) = levels) as updated_at,
           pg_catalog.max(m.created_at) filter (where pg_catalog.array_length(m.path_tokens, 1) = levels) as created_at,
           pg_catalog.max(m.last_accessed_at) filter (where pg_catalog.array_length(m.path_tokens, 1) = levels)
             as last_accessed_at,
           (pg_catalog.array_agg(m.metadata) filter (where pg_catalog.array_length(m.path_tokens, 1) = levels))[1]
             as metadata
    from matching as m
    group by m.entry
  )
  select e.name, e.id, e.updated_at, e.created_at, e.last_accessed_at, e.metadata
  from entries as e
  order by
    case when wanted_order = 'asc' and wanted_column = 'name' then e.name end asc,
    case when wanted_order = 'desc' and wanted_column = 'name' then e.name end desc,
    case when wanted_order = 'asc' and wanted_column = 'updated_at' then e.updated_at end asc nulls last,
    case when wanted_order = 'desc' and wanted_column = 'updated_at' then e.updated_at end desc nulls last,
    case when wanted_order = 'asc' and wanted_column = 'created_at' then e.created_at end asc nulls last,
    case when wanted_order = 'desc' and wanted_column = 'created_at' then e.created_at end desc nulls last,
    case when wanted_order = 'asc' and wanted_column = 'last_accessed_at' then e.last_accessed_at end asc nulls last,
    case when wanted_order = 'desc' and wanted_column = 'last_accessed_at' then e.last_accessed_at end desc nulls last,
    e.name
  limit limits
  offset offsets;
end
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Triggers
-- ---------------------------------------------------------------------------------------------------------
create or replace function storage.update_updated_at_column()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end
$$;

create or replace trigger update_objects_updated_at
  before update on storage.objects
  for each row execute function storage.update_updated_at_column();

-- Hosted bucket ids and names are at most 100 characters (the Storage API builds object keys from them).
create or replace function storage.enforce_bucket_name_length()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if pg_catalog.length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters), the maximum is 100', new.name, pg_catalog.length(new.name)
      using errcode = '22001';
  end if;
  return new;
end
$$;

create or replace trigger enforce_bucket_name_length_trigger
  before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

-- Deleting rows here would orphan the stored bytes, so hosted Storage refuses plain SQL deletes; the Storage API
-- opts in per request with `set_config('storage.allow_delete_query', 'true', true)`, and so does the stand-in.
-- A migration that really must delete rows can opt in the same way inside its own transaction.
create or replace function storage.protect_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(pg_catalog.current_setting('storage.allow_delete_query', true), '') <> 'true' then
    raise exception 'direct deletion from storage.% is not allowed: delete files through the Storage API (storage-js remove(), or DELETE /storage/v1/object/{bucket})', tg_table_name
      using errcode = '42501',
            hint = 'Deleting rows would orphan the stored files. Inside SQL that must do it anyway, first run '
                   'select set_config(''storage.allow_delete_query'', ''true'', true);';
  end if;
  return null;
end
$$;

create or replace trigger protect_objects_delete
  before delete on storage.objects
  for each statement execute function storage.protect_delete();

create or replace trigger protect_buckets_delete
  before delete on storage.buckets
  for each statement execute function storage.protect_delete();

-- ---------------------------------------------------------------------------------------------------------
-- Function ownership and grants
-- ---------------------------------------------------------------------------------------------------------
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.operation() owner to supabase_storage_admin;
alter function storage.search(text, text, integer, integer, integer, text, text, text) owner to supabase_storage_admin;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;
alter function storage.enforce_bucket_name_length() owner to supabase_storage_admin;
alter function storage.protect_delete() owner to supabase_storage_admin;

grant execute on function
  storage.foldername(text),
  storage.filename(text),
  storage.extension(text),
  storage.operation(),
  storage.search(text, text, integer, integer, integer, text, text, text)
  to postgres, anon, authenticated, service_role;
