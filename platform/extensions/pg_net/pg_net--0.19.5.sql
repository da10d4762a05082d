-- Stand-in for pg_net 0.19.5, written from pg_net's documented API (no upstream code): the same schema,
-- tables, types and functions, without the C background worker.
--
-- Delivery contract with the platform's sender (a separate process, not part of this extension):
--   * every net.http_* call inserts one row into net.http_request_queue and calls net.wake(), which runs
--     `pg_notify('net_http_request_queue', '')`. NOTIFY is delivered only when the transaction commits, which
--     gives pg_net's semantics: a request is sent after its transaction commits and never after a rollback;
--   * the sender LISTENs on that channel, claims rows with `delete from net.http_request_queue where id in
--     (select id ... order by id limit N for update skip locked) returning ...`, sends them, and inserts the
--     outcome into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg);
--   * the sender connects with an application_name starting with 'pg_net', which is how
--     net.check_worker_is_up() and net.wait_until_running() recognise it.

-- \echo guards against running this file with psql instead of `create extension`.
\echo Use "create extension pg_net" to load this file. \quit

create schema if not exists net;

create domain net.http_method as text
  check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

create unlogged table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamp with time zone not null default now()
);

-- The sender expires old responses by `created`.
create index on net._http_response (created);

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
  status_code integer,
  headers jsonb,
  body text
);

create type net.http_response_result as (
  status net.request_status,
  message text,
  response net.http_response
);

-- ---------------------------------------------------------------------------------------------------------
-- The sender
-- ---------------------------------------------------------------------------------------------------------

create function net.wake()
returns void
language sql
set search_path = ''
as $$
  select pg_catalog.pg_notify('net_http_request_queue', '');
$$;

create function net._worker_is_up()
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select
    from pg_catalog.pg_stat_activity as activity
    where activity.datname = pg_catalog.current_database()
      and activity.application_name like 'pg_net%'
  );
$$;

create function net.check_worker_is_up()
returns void
language plpgsql
set search_path = ''
as $$
begin
  if not net._worker_is_up() then
    raise exception using
      message = 'the pg_net background worker is not up',
      detail = 'the platform''s pg_net sender is not connected to this database',
      hint = 'start the local platform, which runs the sender';
  end if;
end;
$$;
comment on function net.check_worker_is_up() is
  'raises an exception if the pg_net background worker is not up, otherwise it doesn''t return anything';

create function net.wait_until_running()
returns void
language plpgsql
set search_path = ''
as $$
begin
  while not net._worker_is_up() loop
    perform pg_catalog.pg_sleep(0.05);
  end loop;
end;
$$;
comment on function net.wait_until_running() is 'waits until the worker is running';

-- The sender runs outside the database and cannot be restarted from here; waking it makes it re-read the
-- queue, which is what a restart achieves for pending requests.
create function net.worker_restart()
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  perform net.wake();
  return true;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- URLs
-- ---------------------------------------------------------------------------------------------------------

-- Percent-encodes every byte of the UTF-8 form except the unreserved characters A-Z a-z 0-9 - . _ ~
create function net._urlencode_string(string varchar)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select coalesce(
    string_agg(
      case
        when byte_value between 48 and 57 or byte_value between 65 and 90 or byte_value between 97 and 122
          or byte_value in (45, 46, 95, 126)
          then chr(byte_value)
        else '%' || upper(lpad(to_hex(byte_value), 2, '0'))
      end,
      '' order by byte_index
    ),
    ''
  )
  from convert_to(string, 'UTF8') as encoded(bytes),
    generate_series(0, length(encoded.bytes) - 1) as byte_index,
    get_byte(encoded.bytes, byte_index) as byte_value;
$$;

-- Appends already-encoded `key=value` pairs to the URL's query, before any fragment; a URL without a path
-- gets '/', as the URL is normalised when pg_net parses it.
create function net._encode_url_with_params_array(url text, params_array text[])
returns text
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  parts text[] := regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]+)([^?#]*)(\?[^#]*)?(#.*)?$');
  query text;
begin
  if parts is null then
    raise exception 'URL using bad/illegal format or missing URL: %', url;
  end if;
  query := nullif(ltrim(coalesce(parts[3], ''), '?'), '');
  if cardinality(params_array) > 0 then
    query := concat_ws('&', query, array_to_string(params_array, '&'));
  end if;
  return parts[1]
    || coalesce(nullif(parts[2], ''), '/')
    || coalesce('?' || query, '')
    || coalesce(parts[4], '');
end;
$$;

create function net._encode_params(params jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    array_agg(net._urlencode_string(param.key) || '=' || net._urlencode_string(param.value)),
    '{}'
  )
  from jsonb_each_text(coalesce(params, '{}'::jsonb)) as param(key, value);
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Requests
-- ---------------------------------------------------------------------------------------------------------

-- http_get, http_post and http_delete are security definer, as Supabase's post-setup makes them: callers
-- (API roles, triggers, cron jobs) queue a request through these three entry points without being handed
-- privileges on net's tables, and the pinned empty search_path keeps the owner's rights out of reach.

-- The one path every request takes: queued with its params encoded into the URL, then the sender woken (the
-- NOTIFY reaches it only when the transaction commits).
create function net._enqueue_request(
  method net.http_method,
  url text,
  params jsonb,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (method, net._encode_url_with_params_array(url, net._encode_params(params)), headers, body,
          timeout_milliseconds)
  returning id into request_id;
  perform net.wake();
  return request_id;
end;
$$;
revoke all on function net._enqueue_request(net.http_method, text, jsonb, jsonb, bytea, integer) from public;

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  return net._enqueue_request('GET', url, params, headers, null, timeout_milliseconds);
end;
$$;

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  content_type text;
begin
  select header.value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as header(name, value)
  where lower(header.name) = 'content-type'
  limit 1;

  -- The body is always JSON: a missing Content-Type is added, any other one is refused.
  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  return net._enqueue_request('POST', url, params, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds);
end;
$$;

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  return net._enqueue_request('DELETE', url, params, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Responses
-- ---------------------------------------------------------------------------------------------------------

create function net._await_response(request_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  while not exists (select from net._http_response as response where response.id = request_id) loop
    perform pg_catalog.pg_sleep(0.05);
  end loop;
  return true;
end;
$$;

create function net._http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
set search_path = ''
as $$
declare
  stored net._http_response;
begin
  if not async then
    perform net._await_response(request_id);
  end if;

  select * into stored
  from net._http_response as response
  where response.id = request_id
  order by response.created desc
  limit 1;

  if not found then
    if exists (select from net.http_request_queue as queued where queued.id = request_id) then
      return ('PENDING', 'request is pending processing', null)::net.http_response_result;
    end if;
    return ('ERROR', 'request matching request_id not found', null)::net.http_response_result;
  end if;

  if stored.error_msg is not null then
    return ('ERROR', stored.error_msg, null)::net.http_response_result;
  end if;

  return (
    'SUCCESS',
    'ok',
    (stored.status_code, stored.headers, stored.content)::net.http_response
  )::net.http_response_result;
end;
$$;

create function net.http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
set search_path = ''
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------------------------

-- pg_net opens its schema and tables to everyone; Supabase keeps that and restricts only the request
-- functions, which is the state hosted projects start from.
grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
-- Except what would let a caller run code as this extension's owner: the request functions are security definer,
-- so a trigger on their queue table would fire with superuser rights. Nobody needs TRIGGER, TRUNCATE or
-- REFERENCES here.
revoke trigger, truncate, references on all tables in schema net from public;

revoke all on function net.http_get(text, jsonb, jsonb, integer) from public;
revoke all on function net.http_post(text, jsonb, jsonb, jsonb, integer) from public;
revoke all on function net.http_delete(text, jsonb, jsonb, integer, jsonb) from public;
grant execute on function net.http_get(text, jsonb, jsonb, integer)
  to postgres, anon, authenticated, service_role, supabase_functions_admin;
grant execute on function net.http_post(text, jsonb, jsonb, jsonb, integer)
  to postgres, anon, authenticated, service_role, supabase_functions_admin;
grant execute on function net.http_delete(text, jsonb, jsonb, integer, jsonb)
  to postgres, anon, authenticated, service_role, supabase_functions_admin;
