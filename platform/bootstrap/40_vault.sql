-- ##########################################################################################################
-- STAND-IN FOR SUPABASE VAULT (supabase_vault 0.3.x) -- SECRETS ARE STORED IN PLAIN TEXT.
--
-- Hosted Vault encrypts `vault.secrets.secret` with a key that never leaves the server and decrypts it only in
-- the `vault.decrypted_secrets` view. This local stand-in keeps the same table, view, functions, signatures and
-- grants but stores the secret as given: `decrypted_secret` is simply the stored text, `key_id` and `nonce`
-- stay null. It exists so that migrations and security definer functions written for hosted Supabase
-- (`vault.create_secret(...)`, `select decrypted_secret from vault.decrypted_secrets where name = ...`) run
-- unchanged on a developer machine. NEVER put a real secret in a local platform database.
-- ##########################################################################################################
--
-- Runs as supabase_admin after 00_roles.sql, on every platform database, every time the bootstrap changes:
-- everything here is idempotent and never drops user data.

create schema if not exists vault authorization supabase_admin;
grant usage on schema vault to postgres with grant option;

create table if not exists vault.secrets (
  id uuid not null default gen_random_uuid() primary key,
  name text,
  description text not null default '',
  -- PLAIN TEXT in this stand-in (ciphertext on hosted)
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;

alter table vault.secrets owner to supabase_admin;

create or replace view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  -- hosted decrypts here; the stand-in stored the plain text already
  s.secret as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets as s;

alter view vault.decrypted_secrets owner to supabase_admin;

-- As hosted: postgres may read and delete secrets but writes only through the functions below; the API roles
-- get nothing (not even usage on the schema).
grant select, delete on table vault.secrets, vault.decrypted_secrets to postgres with grant option;

-- Security definer because postgres has no insert privilege on vault.secrets: on hosted the write must go through
-- the function that encrypts with a key only its owner can use, and the stand-in keeps that privilege shape so a
-- migration that writes the table directly fails here as it would there.
create or replace function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  created_id uuid;
begin
  insert into vault.secrets (secret, name, description, key_id)
  values (new_secret, new_name, coalesce(new_description, ''), new_key_id)
  returning id into created_id;
  return created_id;
end
$$;

-- Security definer for the same reason as vault.create_secret: postgres has no update privilege on vault.secrets.
-- Null arguments leave the corresponding column unchanged; an unknown id changes nothing.
create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update vault.secrets as s
  set secret = coalesce(new_secret, s.secret),
      name = coalesce(new_name, s.name),
      description = coalesce(new_description, s.description),
      key_id = coalesce(new_key_id, s.key_id),
      updated_at = pg_catalog.now()
  where s.id = secret_id;
end
$$;

alter function vault.create_secret(text, text, text, uuid) owner to supabase_admin;
alter function vault.update_secret(uuid, text, text, text, uuid) owner to supabase_admin;

-- New functions are executable by PUBLIC; these are for postgres (and whom it grants them to) only.
revoke all on function vault.create_secret(text, text, text, uuid) from public;
revoke all on function vault.update_secret(uuid, text, text, text, uuid) from public;
grant execute on function vault.create_secret(text, text, text, uuid) to postgres with grant option;
grant execute on function vault.update_secret(uuid, text, text, text, uuid) to postgres with grant option;
