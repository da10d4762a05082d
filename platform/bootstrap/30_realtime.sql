-- The parts of the `realtime` schema that project migrations use on hosted Supabase: `realtime.messages` (the
-- Broadcast store whose RLS policies authorise private channels), `realtime.topic()`, `realtime.send()` and
-- `realtime.broadcast_changes()` for Broadcast-from-Database. On hosted the Realtime server creates these with its
-- own migrations; here the bootstrap does, and the Realtime stand-in of the platform process delivers them.
--
-- Runs as supabase_admin after 00_roles.sql, on every platform database, every time the bootstrap changes:
-- everything here is idempotent and never drops user data.
--
-- Ownership follows hosted: the schema and the functions belong to supabase_admin, the table to
-- supabase_realtime_admin. `postgres` is a member of supabase_realtime_admin (00_roles.sql), which is what lets
-- a migration create policies on realtime.messages.

create schema if not exists realtime authorization supabase_admin;
grant all on schema realtime to supabase_realtime_admin;
grant usage on schema realtime to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------
-- realtime.messages
-- Hosted partitions by day on inserted_at and lets the server create and drop partitions (messages live about
-- three days). The stand-in keeps the partitioned shape with a single default partition, so policies, grants
-- and the primary key behave as on hosted; nothing prunes it.
-- ---------------------------------------------------------------------------------------------------------
create table if not exists realtime.messages (
  topic text not null,
  -- 'broadcast' or 'presence'
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);

create table if not exists realtime.messages_default partition of realtime.messages default;

create index if not exists messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages_default owner to supabase_realtime_admin;

-- Access to private channels is decided by policies that migrations add; without one only RLS-bypassing roles
-- (postgres, service_role) can read or write.
alter table realtime.messages enable row level security;
alter table realtime.messages_default enable row level security;

grant insert, select, update on table realtime.messages to anon, authenticated, service_role;
grant all on table realtime.messages to postgres;

-- ---------------------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------------------

-- The topic being authorised or sent to; policies on realtime.messages compare it with their own rules.
create or replace function realtime.topic()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif(pg_catalog.current_setting('realtime.topic', true), '')::text
$$;

-- Security invoker as on hosted: the caller's RLS on realtime.messages decides whether the message is stored,
-- which is why it is usually called from a security definer trigger. Any failure (a missing insert policy
-- included) becomes a WARNING and the caller's transaction carries on: broadcasting is best-effort and must
-- never roll back the write that triggered it.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
set search_path = ''
as $$
declare
  message_id uuid := pg_catalog.gen_random_uuid();
  delivered_payload jsonb := payload;
begin
  begin
    -- clients correlate a broadcast with the stored message through payload.id
    if pg_catalog.jsonb_typeof(payload) = 'object' and not payload ? 'id' then
      delivered_payload := payload || pg_catalog.jsonb_build_object('id', message_id);
    end if;
    -- policies evaluated by the insert below read the topic through realtime.topic()
    perform pg_catalog.set_config('realtime.topic', topic, true);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (message_id, delivered_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

-- For row-level triggers: broadcasts {old_record, record, operation, table, schema} as a private message.
-- Call it as `realtime.broadcast_changes(topic, tg_op, tg_op, tg_table_name, tg_table_schema, new, old)`.
create or replace function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if level is distinct from 'ROW' then
    raise exception 'realtime.broadcast_changes only works in row-level triggers, not at level %', level
      using errcode = '22023';
  end if;
  if operation is null or operation not in ('INSERT', 'UPDATE', 'DELETE') then
    raise exception 'realtime.broadcast_changes: unexpected operation %', operation
      using errcode = '22023', hint = 'Pass TG_OP from the calling trigger.';
  end if;

  perform realtime.send(
    pg_catalog.jsonb_build_object(
      'old_record', old,
      'record', new,
      'operation', operation,
      'table', table_name,
      'schema', table_schema
    ),
    event_name,
    topic_name
  );
end
$$;

grant execute on function
  realtime.topic(),
  realtime.send(jsonb, text, text, boolean),
  realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------
-- STAND-IN PLUMBING (not on hosted Supabase): delivery to the Realtime stand-in.
-- Hosted Realtime tails realtime.messages through logical replication. The stand-in instead LISTENs on the
-- channel `realtime_messages` and, for every notice, reads the row back by id and pushes it to the clients joined
-- to its topic; as with hosted Realtime, read access to a private topic is checked when a client joins and again
-- when it sends a new access token, not per message. The notice carries no payload because NOTIFY payloads are
-- limited to 8000 bytes; NOTIFY is delivered only when the inserting transaction commits, like replication.
-- Notice body: {"id": uuid, "topic": text, "event": text, "private": boolean, "inserted_at": timestamp}.
-- ---------------------------------------------------------------------------------------------------------
create or replace function realtime.stand_in_notify_message_inserted()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify(
    'realtime_messages',
    pg_catalog.json_build_object(
      'id', new.id,
      'topic', new.topic,
      'event', new.event,
      'private', new.private,
      'inserted_at', new.inserted_at
    )::text
  );
  return null;
end
$$;

-- Only ever run as a trigger; nobody needs to call it.
revoke all on function realtime.stand_in_notify_message_inserted() from public;

create or replace trigger stand_in_notify_message_inserted
  after insert on realtime.messages
  for each row execute function realtime.stand_in_notify_message_inserted();
