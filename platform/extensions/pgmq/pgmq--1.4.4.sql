-- Stand-in for pgmq 1.4.4, written from pgmq's documented API (no upstream code): the functions, types and
-- table shapes that pgmq 1.4 and 1.5 share, so that migrations and edge functions written for hosted
-- Supabase queues run unchanged on a Postgres without the pgmq package.
--
-- Semantics kept on purpose:
--   * a message is visible when `vt <= clock_timestamp()`; reading sets `vt = clock_timestamp() + vt seconds`
--     and increments `read_ct` (the first read returns 1);
--   * readers claim rows with `for update skip locked`, so concurrent readers never get the same message;
--   * `send` inserts in the caller's transaction (invisible to readers until commit) with
--     `enqueued_at = now()`, i.e. the transaction start.
-- Not provided: the 1.5-only `headers` column and overloads, conditional reads, partitioned queues.
--
-- Every function is security invoker: queue tables belong to whoever created the queue, exactly as on
-- Supabase, and callers need privileges on them.

-- \echo guards against running this file with psql instead of `create extension`.
\echo Use "create extension pgmq" to load this file. \quit

create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null,
  is_unlogged boolean not null,
  created_at timestamp with time zone default now() not null
);

create type pgmq.message_record as (
  msg_id bigint,
  read_ct integer,
  enqueued_at timestamp with time zone,
  vt timestamp with time zone,
  message jsonb
);

create type pgmq.queue_record as (
  queue_name varchar,
  is_partitioned boolean,
  is_unlogged boolean,
  created_at timestamp with time zone
);

create type pgmq.metrics_result as (
  queue_name text,
  queue_length bigint,
  newest_msg_age_sec integer,
  oldest_msg_age_sec integer,
  total_messages bigint,
  scrape_time timestamp with time zone
);

-- ---------------------------------------------------------------------------------------------------------
-- Names
-- ---------------------------------------------------------------------------------------------------------

-- Queue names become parts of table and index names; every statement quotes them with %I, and the characters
-- pgmq documents as forbidden are rejected so that names behave the same here and on Supabase.
create function pgmq.format_table_name(queue_name text, prefix text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if queue_name is null or queue_name = '' then
    raise exception 'queue name must not be empty';
  end if;
  if queue_name ~ '\$|;|--|''' then
    raise exception 'queue name contains invalid characters: $, ;, --, or ''';
  end if;
  return lower(prefix || '_' || queue_name);
end;
$$;

-- 47 characters keep the longest derived name ('archived_at_idx_' || name) within Postgres' 63-byte limit.
create function pgmq.validate_queue_name(queue_name text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if length(queue_name) >= 48 then
    raise exception 'queue name is too long, maximum length is 47 characters';
  end if;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Queue lifecycle
-- ---------------------------------------------------------------------------------------------------------

create function pgmq._create_queue(queue_name text, unlogged boolean)
returns void
language plpgsql
set search_path = ''
as $$
declare
  queue_table text := pgmq.format_table_name(queue_name, 'q');
  archive_table text := pgmq.format_table_name(queue_name, 'a');
begin
  perform pgmq.validate_queue_name(queue_name);
  -- Two migrations creating the same queue concurrently must not race on `create table if not exists`.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgmq.queue_' || queue_name));

  execute format(
    $ddl$
      create %s table if not exists pgmq.%I (
        msg_id bigint primary key generated always as identity,
        read_ct integer default 0 not null,
        enqueued_at timestamp with time zone default now() not null,
        vt timestamp with time zone not null,
        message jsonb
      )
    $ddl$,
    case when unlogged then 'unlogged' else '' end, queue_table
  );

  -- The archive stays logged even for unlogged queues: archived messages are the record worth keeping.
  execute format(
    $ddl$
      create table if not exists pgmq.%I (
        msg_id bigint primary key,
        read_ct integer default 0 not null,
        enqueued_at timestamp with time zone default now() not null,
        archived_at timestamp with time zone default now() not null,
        vt timestamp with time zone not null,
        message jsonb
      )
    $ddl$,
    archive_table
  );

  execute format('create index if not exists %I on pgmq.%I (vt asc)', queue_table || '_vt_idx', queue_table);
  execute format(
    'create index if not exists %I on pgmq.%I (archived_at)', 'archived_at_idx_' || queue_name, archive_table
  );

  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
  values (_create_queue.queue_name, false, unlogged)
  on conflict do nothing;
end;
$$;

create function pgmq.create_non_partitioned(queue_name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pgmq._create_queue(queue_name, false);
end;
$$;

create function pgmq."create"(queue_name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pgmq._create_queue(queue_name, false);
end;
$$;

create function pgmq.create_unlogged(queue_name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pgmq._create_queue(queue_name, true);
end;
$$;

-- Partitioned queues need pg_partman, which this platform lacks; fail the way pgmq does without it.
create function pgmq.create_partitioned(
  queue_name text,
  partition_interval text default '10000',
  retention_interval text default '100000'
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'pg_partman is required for partitioned queues';
end;
$$;

-- `partitioned` is accepted for signature compatibility; no partitioned queue can exist here.
create function pgmq.drop_queue(queue_name text, partitioned boolean default false)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  queue_table text := pgmq.format_table_name(queue_name, 'q');
  archive_table text := pgmq.format_table_name(queue_name, 'a');
begin
  if not exists (select from pgmq.meta where meta.queue_name = drop_queue.queue_name)
     and pg_catalog.to_regclass(format('pgmq.%I', queue_table)) is null then
    raise notice 'pgmq queue `%` does not exist', queue_name;
    return false;
  end if;

  execute format('drop table if exists pgmq.%I', queue_table);
  execute format('drop table if exists pgmq.%I', archive_table);
  delete from pgmq.meta where meta.queue_name = drop_queue.queue_name;
  return true;
end;
$$;

-- Archive tables are never members of the extension here (as on Supabase, which detaches them for backups),
-- so there is nothing to detach; the function exists because migrations may call it.
create function pgmq.detach_archive(queue_name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pgmq.format_table_name(queue_name, 'a');
end;
$$;

create function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  purged bigint;
begin
  -- delete, not truncate: truncate would wait for (and block) every concurrent reader of the queue.
  execute format(
    'with purged as (delete from pgmq.%I returning 1) select count(*) from purged',
    pgmq.format_table_name(queue_name, 'q')
  ) into purged;
  return purged;
end;
$$;

create function pgmq.list_queues()
returns setof pgmq.queue_record
language sql
set search_path = ''
as $$
  select queue_name, is_partitioned, is_unlogged, created_at from pgmq.meta order by queue_name;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Messages
-- ---------------------------------------------------------------------------------------------------------

create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
returns setof bigint
language plpgsql
set search_path = ''
as $$
begin
  return query execute format(
    $sql$
      insert into pgmq.%I (vt, message)
      values (clock_timestamp() + make_interval(secs => $2), $1)
      returning msg_id
    $sql$,
    pgmq.format_table_name(queue_name, 'q')
  ) using msg, delay;
end;
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
returns setof bigint
language plpgsql
set search_path = ''
as $$
begin
  return query execute format(
    $sql$
      insert into pgmq.%I (vt, message)
      select clock_timestamp() + make_interval(secs => $2), message
      from unnest($1) with ordinality as batch(message, position)
      order by position
      returning msg_id
    $sql$,
    pgmq.format_table_name(queue_name, 'q')
  ) using msgs, delay;
end;
$$;

-- The one claim statement behind read and read_with_poll.
create function pgmq._read_statement(queue_name text)
returns text
language sql
immutable
set search_path = ''
as $$
  select format(
    $sql$
      with claimed as (
        select msg_id
        from pgmq.%1$I
        where vt <= clock_timestamp()
        order by msg_id
        limit $1
        for update skip locked
      )
      update pgmq.%1$I as queued
      set vt = clock_timestamp() + make_interval(secs => $2),
          read_ct = queued.read_ct + 1
      from claimed
      where queued.msg_id = claimed.msg_id
      returning queued.msg_id, queued.read_ct, queued.enqueued_at, queued.vt, queued.message
    $sql$,
    pgmq.format_table_name(queue_name, 'q')
  );
$$;

create function pgmq.read(queue_name text, vt integer, qty integer)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
begin
  return query execute pgmq._read_statement(queue_name) using qty, vt;
end;
$$;

create function pgmq.read_with_poll(
  queue_name text,
  vt integer,
  qty integer,
  max_poll_seconds integer default 5,
  poll_interval_ms integer default 100
)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  claim_statement text := pgmq._read_statement(queue_name);
  give_up_at timestamp with time zone := clock_timestamp() + make_interval(secs => max_poll_seconds);
begin
  loop
    return query execute claim_statement using qty, vt;
    if found or clock_timestamp() >= give_up_at then
      return;
    end if;
    perform pg_catalog.pg_sleep(poll_interval_ms / 1000.0);
  end loop;
end;
$$;

create function pgmq.pop(queue_name text)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
begin
  return query execute format(
    $sql$
      with claimed as (
        select msg_id
        from pgmq.%1$I
        where vt <= clock_timestamp()
        order by msg_id
        limit 1
        for update skip locked
      )
      delete from pgmq.%1$I as queued
      using claimed
      where queued.msg_id = claimed.msg_id
      returning queued.msg_id, queued.read_ct, queued.enqueued_at, queued.vt, queued.message
    $sql$,
    pgmq.format_table_name(queue_name, 'q')
  );
end;
$$;

create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
begin
  return query execute format(
    $sql$
      update pgmq.%I
      set vt = clock_timestamp() + make_interval(secs => $2)
      where msg_id = $1
      returning msg_id, read_ct, enqueued_at, vt, message
    $sql$,
    pgmq.format_table_name(queue_name, 'q')
  ) using msg_id, vt;
end;
$$;

create function pgmq.delete(queue_name text, msg_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  deleted_id bigint;
begin
  execute format(
    'delete from pgmq.%I where msg_id = $1 returning msg_id', pgmq.format_table_name(queue_name, 'q')
  ) into deleted_id using msg_id;
  return deleted_id is not null;
end;
$$;

create function pgmq.delete(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
set search_path = ''
as $$
begin
  return query execute format(
    'delete from pgmq.%I where msg_id = any($1) returning msg_id', pgmq.format_table_name(queue_name, 'q')
  ) using msg_ids;
end;
$$;

create function pgmq._archive_statement(queue_name text)
returns text
language sql
immutable
set search_path = ''
as $$
  select format(
    $sql$
      with archived as (
        delete from pgmq.%I
        where msg_id = any($1)
        returning msg_id, read_ct, enqueued_at, vt, message
      )
      insert into pgmq.%I (msg_id, read_ct, enqueued_at, vt, message)
      select msg_id, read_ct, enqueued_at, vt, message from archived
      returning msg_id
    $sql$,
    pgmq.format_table_name(queue_name, 'q'),
    pgmq.format_table_name(queue_name, 'a')
  );
$$;

create function pgmq.archive(queue_name text, msg_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  archived_id bigint;
begin
  execute pgmq._archive_statement(queue_name) into archived_id using array[msg_id];
  return archived_id is not null;
end;
$$;

create function pgmq.archive(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
set search_path = ''
as $$
begin
  return query execute pgmq._archive_statement(queue_name) using msg_ids;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Metrics
-- ---------------------------------------------------------------------------------------------------------

create function pgmq.metrics(queue_name text)
returns pgmq.metrics_result
language plpgsql
set search_path = ''
as $$
declare
  queue_table text := pgmq.format_table_name(queue_name, 'q');
  result pgmq.metrics_result;
begin
  -- total_messages counts every message ever sent: the identity sequence's position, 0 before the first send.
  execute format(
    $sql$
      select
        $1,
        count(*),
        extract(epoch from now() - max(queued.enqueued_at))::integer,
        extract(epoch from now() - min(queued.enqueued_at))::integer,
        (select case when is_called then last_value else 0 end from %s),
        now()
      from pgmq.%I as queued
    $sql$,
    pg_catalog.pg_get_serial_sequence(format('pgmq.%I', queue_table), 'msg_id'),
    queue_table
  ) into result using queue_name;
  return result;
end;
$$;

create function pgmq.metrics_all()
returns setof pgmq.metrics_result
language plpgsql
set search_path = ''
as $$
declare
  queue record;
begin
  for queue in select meta.queue_name from pgmq.meta order by meta.queue_name loop
    return next pgmq.metrics(queue.queue_name);
  end loop;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------------------------

-- As pgmq does: monitoring roles may read queue state.
grant usage on schema pgmq to pg_monitor;
grant select on all tables in schema pgmq to pg_monitor;
grant select on all sequences in schema pgmq to pg_monitor;
alter default privileges in schema pgmq grant select on tables to pg_monitor;
alter default privileges in schema pgmq grant select on sequences to pg_monitor;

-- On Supabase a post-create step hands the schema and every pgmq object to `postgres`, so migrations (run as
-- postgres) can create queues in the schema and maintain pgmq.meta. Nothing is granted to the API roles:
-- exposing queues to them is an explicit opt-in.
alter schema pgmq owner to postgres;
alter table pgmq.meta owner to postgres;
alter type pgmq.message_record owner to postgres;
alter type pgmq.queue_record owner to postgres;
alter type pgmq.metrics_result owner to postgres;
do $$
declare
  pgmq_function regprocedure;
begin
  for pgmq_function in
    select p.oid::regprocedure
    from pg_catalog.pg_proc as p
    where p.pronamespace = 'pgmq'::regnamespace
  loop
    execute format('alter function %s owner to postgres', pgmq_function);
  end loop;
end
$$;
