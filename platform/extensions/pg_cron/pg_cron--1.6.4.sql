-- Stand-in for pg_cron 1.6.4, written from pg_cron's documented API (no upstream code): the cron schema,
-- job tables, row level security and functions, without the C launcher. It accepts the schedules pg_cron
-- 1.6 accepts, including '[1-59] seconds' and '$' (last day of the month), which Debian's pg_cron 1.4 lacks.
--
-- Contract with the platform's scheduler (a separate process, not part of this extension):
--   * every change to cron.job fires `pg_notify('cron_job_changed', '')` (statement level, delivered on
--     commit), and the scheduler reloads cron.job;
--   * the scheduler runs each due command as `username` in `database` and records each run in
--     cron.job_run_details with pg_cron's status values: starting, running, sending, connecting, succeeded,
--     failed.
-- platform/server/cron/cron_schedule.ts parses schedules for the scheduler and accepts exactly what
-- cron._schedule_is_valid accepts.

-- \echo guards against running this file with psql instead of `create extension`.
\echo Use "create extension pg_cron" to load this file. \quit

create schema cron;

create sequence cron.jobid_seq;

create table cron.job (
  jobid bigint primary key default nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport integer not null default inet_server_port(),
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  constraint jobname_username_uniq unique (jobname, username)
);

create sequence cron.runid_seq;

create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamp with time zone,
  end_time timestamp with time zone
);

-- Jobs and their history are user data: pg_dump keeps them.
select pg_catalog.pg_extension_config_dump('cron.job', '');
select pg_catalog.pg_extension_config_dump('cron.jobid_seq', '');
select pg_catalog.pg_extension_config_dump('cron.job_run_details', '');
select pg_catalog.pg_extension_config_dump('cron.runid_seq', '');

-- Users see (and may clear the history of) their own jobs only.
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username = current_user);
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username = current_user);

create function cron.job_cache_invalidate()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify('cron_job_changed', '');
  return null;
end;
$$;
comment on function cron.job_cache_invalidate() is 'invalidate job cache';

create trigger cron_job_cache_invalidate
  after insert or update or delete or truncate on cron.job
  for each statement execute function cron.job_cache_invalidate();

-- ---------------------------------------------------------------------------------------------------------
-- Schedules
-- ---------------------------------------------------------------------------------------------------------

-- A field value: a number, or in the month and day-of-week fields a three-letter name.
create function cron._schedule_value(token text, names text[], first_named integer)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select case
    when token ~ '^[0-9]+$' then token::numeric
    else array_position(names, lower(token)) - 1 + first_named
  end;
$$;

-- A field is a comma-separated list of '*', 'a' or 'a-b', each optionally followed by '/step' (a step needs
-- '*' or a range). Ranges must not run backwards.
create function cron._field_is_valid(
  field text,
  low integer,
  high integer,
  names text[] default null,
  first_named integer default 0
)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  item text;
  parts text[];
  range_start numeric;
  range_end numeric;
begin
  if field = '' then
    return false;
  end if;
  foreach item in array string_to_array(field, ',') loop
    parts := regexp_match(item, '^(?:(\*)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:/([0-9]+))?$');
    if parts is null or coalesce(parts[4]::numeric, 1) = 0 then
      return false;
    end if;
    if parts[1] is null then
      if parts[3] is null and parts[4] is not null then
        return false;
      end if;
      range_start := cron._schedule_value(parts[2], names, first_named);
      range_end := case
        when parts[3] is null then range_start
        else cron._schedule_value(parts[3], names, first_named)
      end;
      if range_start is null or range_end is null
         or range_start < low or range_end > high or range_start > range_end then
        return false;
      end if;
    end if;
  end loop;
  return true;
end;
$$;

-- Accepts: five fields (minute 0-59, hour 0-23, day of month 1-31 or '$' for the last day, month 1-12 or
-- jan-dec, day of week 0-7 or sun-sat), the shortcuts @yearly @annually @monthly @weekly @daily @midnight
-- @hourly @reboot @restart, and '<1-59> second(s)'.
create function cron._schedule_is_valid(schedule text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  trimmed text := btrim(schedule, E' \t\r\n');
  fields text[];
begin
  if trimmed is null then
    return false;
  end if;
  if trimmed ~* '^[0-9]+[ \t]*seconds?$' then
    return substring(trimmed from '^[0-9]+')::numeric between 1 and 59;
  end if;
  if left(trimmed, 1) = '@' then
    return trimmed in (
      '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@reboot', '@restart'
    );
  end if;
  fields := regexp_split_to_array(trimmed, E'[ \t]+');
  return cardinality(fields) = 5
    and cron._field_is_valid(fields[1], 0, 59)
    and cron._field_is_valid(fields[2], 0, 23)
    and (fields[3] = '$' or cron._field_is_valid(fields[3], 1, 31))
    and cron._field_is_valid(
      fields[4], 1, 12, '{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}', 1
    )
    and cron._field_is_valid(fields[5], 0, 7, '{sun,mon,tue,wed,thu,fri,sat}', 0);
end;
$$;

create function cron._assert_valid_schedule(schedule text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if not cron._schedule_is_valid(schedule) then
    raise exception 'invalid schedule: %', schedule
      using errcode = 'invalid_parameter_value',
            hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
  end if;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Callers
-- ---------------------------------------------------------------------------------------------------------

-- pg_cron records the calling user. A security definer function cannot see its caller's current_user, so
-- the caller is the role chosen with SET ROLE (as PostgREST, migrations run through `set role` and the
-- scheduler do), else the session user: the same role whenever cron is called outside a security definer
-- function, and never a role the session could not become.
create function cron._caller()
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('role'), 'none'), session_user::text);
$$;

create function cron._is_superuser(role_name text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select rolsuper from pg_catalog.pg_roles where rolname = role_name), false);
$$;

create function cron._assert_can_run_jobs(role_name text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  can_login boolean;
begin
  select rolcanlogin into can_login from pg_catalog.pg_roles where rolname = role_name;
  if not found then
    raise exception 'role "%" does not exist', role_name;
  end if;
  if not can_login then
    raise exception 'role "%" can not log in', role_name
      using detail = 'Jobs may only be run by roles that have the LOGIN attribute.';
  end if;
end;
$$;

create function cron._assert_can_connect(role_name text, database_name text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if not has_database_privilege(role_name, database_name, 'CONNECT') then
    raise exception 'User % does not have CONNECT privilege on %', role_name, database_name;
  end if;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Scheduling
-- ---------------------------------------------------------------------------------------------------------

-- The functions below are security definer because, as on Supabase, users may only read cron.job: pg_cron
-- writes it as the extension owner after checking the caller, and so do these.

-- Scheduling a name the user already uses updates that job (schedule, command, database), as pg_cron does.
-- Security invoker: it can write cron.job only when called from the functions below, never directly.
create function cron._upsert_job(
  job_name text,
  schedule text,
  command text,
  database_name text,
  username text,
  active boolean
)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  scheduled_jobid bigint;
begin
  if schedule is null then
    raise exception 'schedule can not be NULL';
  end if;
  if command is null then
    raise exception 'command can not be NULL';
  end if;
  perform cron._assert_valid_schedule(schedule);
  perform cron._assert_can_connect(username, database_name);

  insert into cron.job as existing
    (schedule, command, nodename, nodeport, database, username, active, jobname)
  values
    (schedule, command, 'localhost', current_setting('port')::integer, database_name, username, active, job_name)
  on conflict on constraint jobname_username_uniq do update
    set schedule = excluded.schedule, command = excluded.command, database = excluded.database
  returning existing.jobid into scheduled_jobid;
  return scheduled_jobid;
end;
$$;

-- Jobs run in the database that holds cron.job: pg_cron's cron.database_name, which is where the extension
-- can be created, is this database.
create function cron.schedule(schedule text, command text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  return cron._upsert_job(null, schedule, command, current_database(), cron._caller(), true);
end;
$$;
comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.schedule(job_name text, schedule text, command text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if job_name is null then
    raise exception 'job_name can not be NULL';
  end if;
  return cron._upsert_job(job_name, schedule, command, current_database(), cron._caller(), true);
end;
$$;
comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule_in_database(
  job_name text,
  schedule text,
  command text,
  database text,
  username text default null,
  active boolean default true
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller text := cron._caller();
begin
  if job_name is null then
    raise exception 'job_name can not be NULL';
  end if;
  if username is not null then
    if not cron._is_superuser(caller) then
      raise exception 'must be superuser to create a job for another role';
    end if;
    perform cron._assert_can_run_jobs(username);
  end if;
  return cron._upsert_job(
    job_name,
    schedule,
    command,
    coalesce(database, current_database()),
    coalesce(username, caller),
    coalesce(active, true)
  );
end;
$$;
comment on function cron.schedule_in_database(text, text, text, text, text, boolean) is
  'schedule a pg_cron job in a specific database';

create function cron.unschedule(job_id bigint)
returns boolean
language plpgsql
strict
security definer
set search_path = ''
as $$
declare
  caller text := cron._caller();
  owner_name text;
begin
  select job.username into owner_name from cron.job as job where job.jobid = job_id for update;
  if not found then
    raise exception 'could not find valid entry for job %', job_id;
  end if;
  -- Another user's job may be removed only by whoever may delete from cron.job directly.
  if lower(owner_name) <> lower(caller) and not has_table_privilege(caller, 'cron.job', 'DELETE') then
    raise exception 'permission denied for table job' using errcode = 'insufficient_privilege';
  end if;
  delete from cron.job as job where job.jobid = job_id;
  return true;
end;
$$;
comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text)
returns boolean
language plpgsql
strict
security definer
set search_path = ''
as $$
declare
  unscheduled_jobid bigint;
begin
  delete from cron.job as job
  where job.jobid = (
    select candidate.jobid
    from cron.job as candidate
    where candidate.jobname = job_name and candidate.username = cron._caller()
    limit 1
  )
  returning job.jobid into unscheduled_jobid;
  if unscheduled_jobid is null then
    raise exception 'could not find valid entry for job ''%''', job_name;
  end if;
  return true;
end;
$$;
comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(
  job_id bigint,
  schedule text default null,
  command text default null,
  database text default null,
  username text default null,
  active boolean default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller text := cron._caller();
  caller_is_superuser boolean := cron._is_superuser(caller);
begin
  if job_id is null then
    raise exception 'job_id can not be NULL';
  end if;
  if schedule is null and command is null and database is null and username is null and active is null then
    raise exception 'no updates specified'
      using hint = 'You must specify at least one job attribute to change when calling alter_job';
  end if;
  if username is not null then
    if not caller_is_superuser then
      raise exception 'must be superuser to alter username';
    end if;
    perform cron._assert_can_run_jobs(username);
  end if;
  if database is not null then
    perform cron._assert_can_connect(coalesce(username, caller), database);
  end if;
  if schedule is not null then
    perform cron._assert_valid_schedule(schedule);
  end if;

  update cron.job as job
  set schedule = coalesce(alter_job.schedule, job.schedule),
      command = coalesce(alter_job.command, job.command),
      database = coalesce(alter_job.database, job.database),
      username = coalesce(alter_job.username, job.username),
      active = coalesce(alter_job.active, job.active)
  where job.jobid = job_id
    and (caller_is_superuser or job.username = caller);
  if not found then
    raise exception 'Job % does not exist or you don''t own it', job_id;
  end if;
end;
$$;
comment on function cron.alter_job(bigint, text, text, text, text, boolean) is
  'Alter the job identified by job_id. Any option left as NULL will not be modified.';

-- ---------------------------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------------------------

-- As pg_cron: reading jobs is open (row level security filters it); changing another role's job or running
-- jobs in another database is not for everyone.
grant select on cron.job to public;
grant select, delete on cron.job_run_details to public;
revoke all on function cron.alter_job(bigint, text, text, text, text, boolean) from public;
revoke all on function cron.schedule_in_database(text, text, text, text, text, boolean) from public;

-- As Supabase's post-create step: postgres may use the schema and every function, and manage run history,
-- but only reads cron.job; it writes jobs through the functions.
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
