-- What an operator watches: GET health (anyone; a monitor or load balancer reads its status code) and GET
-- metrics (service credentials; Prometheus scrapes it). Each reads one function here, so one statement, one
-- consistent snapshot.
--
--   internal.health_settings          the thresholds that make the service degraded, one row an operator updates
--   internal.cron_schedule_period()   the longest gap a cron schedule leaves between two runs
--   internal.health_snapshot()        each queue's depth and oldest message, each cron job's last run and whether
--                                     it is overdue, and the reasons the service is degraded
--   internal.metrics_snapshot()       pages by status, queues, provider latency histogram, failures by code,
--                                     cost per book, books delivered
--   purge-cron-history (cron, daily)  trims pg_cron's run history, which health reads
--
-- Only counts, ages, statuses, codes, queue and job names leave these functions: never an id, a name, an
-- address or an error's text, since GET health answers anyone.
--
-- The functions run as their caller, postgres (the functions' database URL, or an operator in the SQL editor): it owns
-- the queues, and cron.job shows each role its own jobs only (row level security), which are the jobs the
-- migrations scheduled as postgres. No API role executes them.

-- ---------------------------------------------------------------------------------------------------------
-- Thresholds
-- ---------------------------------------------------------------------------------------------------------
create table internal.health_settings (
  singleton boolean primary key default true constraint one_settings_row check (singleton),
  -- A queue whose oldest message is older than this is backed up: its work is not getting done. Seconds, per
  -- queue name; a queue not named here gets default_queue_max_age_seconds.
  --   page_tasks  an hour: a page's message stays in the queue while the image provider works, up to the
  --               abandon period (30 min) and the sweep's two checks (2 x 5 min); an hour is past any healthy page
  --   book_tasks  30 min: five assembly attempts of 150 s each, with room
  --   email_tasks 30 min: a sender that is down makes emails back off for hours, which is what must be seen
  queue_max_age_seconds jsonb not null
    default '{"page_tasks": 3600, "book_tasks": 1800, "email_tasks": 1800}'
    constraint queue_max_age_is_positive_seconds check (
      jsonb_typeof(queue_max_age_seconds) = 'object'
      and not jsonb_path_exists(queue_max_age_seconds, '$.* ? (@.type() != "number" || @ <= 0 || @.floor() != @)')
    ),
  default_queue_max_age_seconds integer not null default 900
    constraint default_queue_max_age_positive check (default_queue_max_age_seconds > 0),
  -- A cron job is overdue when it has not started for the longest gap its schedule allows plus this much (the
  -- scheduler's own lateness, and a run still starting).
  cron_grace_seconds integer not null default 60 constraint cron_grace_not_negative check (cron_grace_seconds >= 0),
  -- Cron's run history is kept this long (purge-cron-history). pg_cron adds a row per run, 50,000 a day with the
  -- 2- and 10-second dispatchers, and health looks up each job's last run in it. It must outlast the longest
  -- schedule (daily), or health would no longer see that job's last run.
  cron_history_days integer not null default 7 constraint cron_history_outlasts_a_day check (cron_history_days >= 2)
);
insert into internal.health_settings default values;
alter table internal.health_settings enable row level security;
comment on table internal.health_settings is 'When GET health answers degraded: the oldest message each queue may hold, how late a cron job may be; and how long cron''s run history is kept. One row; operators change it with an UPDATE, e.g. `update internal.health_settings set queue_max_age_seconds = queue_max_age_seconds || ''{"email_tasks": 7200}'';`.';

-- ---------------------------------------------------------------------------------------------------------
-- Cron schedules
-- ---------------------------------------------------------------------------------------------------------
create function internal.cron_schedule_period(p_schedule text)
returns interval
language plpgsql
immutable
set search_path = ''
as $$
declare
  schedule text := lower(btrim(p_schedule, E' \t\r\n'));
  fields text[];
  step integer;
begin
  -- The forms pg_cron accepts: '<n> seconds', the @ shortcuts, five fields.
  if schedule ~ '^[0-9]+[ \t]*seconds?$' then
    return pg_catalog.make_interval(secs => substring(schedule from '^[0-9]+')::integer);
  end if;
  case schedule
    when '@hourly' then return interval '1 hour';
    when '@daily', '@midnight' then return interval '1 day';
    when '@weekly' then return interval '7 days';
    when '@monthly' then return interval '31 days';
    when '@yearly', '@annually' then return interval '366 days';
    -- Runs when the scheduler starts, not on a clock: never overdue.
    when '@reboot', '@restart' then return null;
    else null;
  end case;

  fields := pg_catalog.regexp_split_to_array(schedule, '[ \t]+');
  if cardinality(fields) <> 5 then
    return null;
  end if;
  -- The coarsest restricted field bounds the gap: a month list a year, a day of the month two months (the 31st
  -- skips short months), a day of the week a week, an hour list a day (or its step), a minute list an hour.
  if fields[4] <> '*' then
    return interval '366 days';
  elsif fields[3] <> '*' then
    return interval '62 days';
  elsif fields[5] <> '*' then
    return interval '7 days';
  elsif fields[2] <> '*' then
    step := substring(fields[2] from '^\*/([0-9]+)$')::integer;
    return coalesce(pg_catalog.make_interval(hours => least(step, 24)), interval '1 day');
  elsif fields[1] = '*' then
    return interval '1 minute';
  end if;
  step := substring(fields[1] from '^\*/([0-9]+)$')::integer;
  return coalesce(pg_catalog.make_interval(mins => least(step, 60)), interval '1 hour');
end;
$$;
comment on function internal.cron_schedule_period(text) is 'The longest gap a pg_cron schedule leaves between two runs (an upper bound): ''10 seconds'' 10 s, ''* * * * *'' a minute, ''17 * * * *'' an hour, ''23 3 * * *'' a day; null for @reboot.';

-- ---------------------------------------------------------------------------------------------------------
-- Health
-- ---------------------------------------------------------------------------------------------------------
create function internal.health_snapshot()
returns jsonb
language sql
set search_path = ''
-- JIT-compiling a one-off statement costs more than running it (see metrics_snapshot for the figures).
set jit = off
as $$
  with settings as (
    select * from internal.health_settings
  ),
  queues as (
    select m.queue_name as name,
           m.queue_length as depth,
           m.oldest_msg_age_sec as oldest_age,
           coalesce((s.queue_max_age_seconds ->> m.queue_name)::integer, s.default_queue_max_age_seconds) as max_age
      from pgmq.metrics_all() m
     cross join settings s
  ),
  scheduler_seen as (
    -- Since when the scheduler is known to run: a job that never ran is overdue once a whole period has passed
    -- since then, and every job is when nothing ever ran. Read through the primary key (runid), as the history
    -- grows by a row per run.
    select d.start_time from cron.job_run_details d where d.start_time is not null order by d.runid limit 1
  ),
  jobs as (
    select coalesce(j.jobname, 'job ' || j.jobid) as name,
           j.schedule,
           j.active,
           last_run.runid,
           last_run.status,
           last_run.start_time,
           last_run.end_time,
           j.active
             and period.length is not null
             and coalesce(last_run.start_time, (select start_time from scheduler_seen), '-infinity')
                 < now() - period.length - pg_catalog.make_interval(secs => s.cron_grace_seconds) as overdue
      from cron.job j
     cross join settings s
     cross join lateral (select internal.cron_schedule_period(j.schedule) as length) period
      left join lateral (
        select d.runid, d.status, d.start_time, d.end_time
          from cron.job_run_details d
         where d.jobid = j.jobid
         order by d.runid desc
         limit 1
      ) last_run on true
  ),
  reasons as (
    select 1 as kind, q.name as subject,
           jsonb_build_object(
             'code', 'queue_backlog',
             'message', format('Queue %s: its oldest message is %s s old (limit %s s).', q.name, q.oldest_age, q.max_age)
           ) as reason
      from queues q
     where q.oldest_age > q.max_age
    union all
    select 2, j.name,
           jsonb_build_object(
             'code', 'cron_job_overdue',
             'message', case when j.start_time is null
               then format('Cron job %s (%s) has not run yet.', j.name, j.schedule)
               else format('Cron job %s (%s) last started %s s ago.', j.name, j.schedule,
                           floor(extract(epoch from now() - j.start_time)))
             end
           )
      from jobs j
     where j.overdue
    union all
    select 3, j.name,
           jsonb_build_object('code', 'cron_job_failed', 'message', format('Cron job %s failed on its last run.', j.name))
      from jobs j
     where j.active and j.status = 'failed'
  )
  select jsonb_build_object(
    'queues', coalesce((
      select jsonb_agg(jsonb_build_object(
               'name', q.name,
               'depth', q.depth,
               'oldest_message_age_seconds', q.oldest_age,
               'max_age_seconds', q.max_age
             ) order by q.name)
        from queues q
    ), '[]'),
    'cron', coalesce((
      select jsonb_agg(jsonb_build_object(
               'job', j.name,
               'schedule', j.schedule,
               'active', j.active,
               'last_run', case when j.runid is not null then jsonb_build_object(
                 'status', j.status, 'started_at', j.start_time, 'ended_at', j.end_time
               ) end,
               'overdue', j.overdue
             ) order by j.name)
        from jobs j
    ), '[]'),
    'reasons', coalesce((select jsonb_agg(r.reason order by r.kind, r.subject) from reasons r), '[]')
  );
$$;
comment on function internal.health_snapshot() is 'What GET health reports from the database: queues (depth, oldest message age, limit), cron jobs (last run, overdue), and the reasons the service is degraded (queue_backlog, cron_job_overdue, cron_job_failed). Thresholds: internal.health_settings.';

-- ---------------------------------------------------------------------------------------------------------
-- Metrics
-- ---------------------------------------------------------------------------------------------------------
create function internal.metrics_snapshot(p_latency_buckets_seconds numeric[], p_cost_buckets_usd numeric[])
returns jsonb
language sql
set search_path = ''
-- The scans of provider_calls estimate above jit_above_cost once the history grows, and JIT-compiling this one
-- wide statement then takes seconds where running it takes a few hundred milliseconds (measured at 190,000
-- provider calls: 2.1 s with JIT, 0.3 s without).
set jit = off
as $$
  with latency as (
    -- Our latency: submission to the answer reaching us. Counted over every completed call, as a Prometheus
    -- histogram counts since its start (the history is never deleted).
    --
    -- A bucket is "at most le": a value falls in the first bucket whose bound it does not exceed, and past the
    -- last bound in the overflow bucket (index cardinality(bounds)). width_bucket counts the bounds at most the
    -- value (they must be ascending), so a value equal to a bound is moved back into that bound's bucket. Written
    -- out rather than in a helper: a function with its own search_path is never inlined, and calling one per
    -- row makes the scan several times slower.
    select c.model, c.stage,
           pg_catalog.width_bucket(c.latency_ms / 1000.0, p_latency_buckets_seconds)
             - (c.latency_ms / 1000.0 = any(p_latency_buckets_seconds))::integer as bucket,
           count(*) as calls, sum(c.latency_ms) as total_ms
      from internal.provider_calls c
     where c.status = 'completed' and c.latency_ms is not null
     group by c.model, c.stage, bucket
  ),
  latency_series as (
    select l.model, l.stage, sum(l.total_ms) / 1000.0 as total_seconds
      from latency l
     group by l.model, l.stage
  ),
  books as (
    -- A book is a story that went to print: its cost is everything its provider calls cost, preview included.
    -- The call history outlives erasures, so a book still counts once its story is gone.
    select sc.total_cost_usd as cost,
           pg_catalog.width_bucket(sc.total_cost_usd, p_cost_buckets_usd)
             - (sc.total_cost_usd = any(p_cost_buckets_usd))::integer as bucket
      from internal.story_costs sc
     where exists (
       select 1 from internal.provider_calls c where c.story_id = sc.story_id and c.job_kind = 'print'
     )
  ),
  failures as (
    -- What is failed now and waits for a parent's retry or an operator.
    select 'page' as kind, internal.failure_code(p.last_error) as code, count(*) as items
      from public.story_pages p
     where p.status in ('failed', 'flagged')
     group by 2
    union all
    -- Recorded after the last attempt ('book_layout: …', 'book_assembly: …'; a task lost by the dispatcher is
    -- unclassified); an order whose book was made since is fine.
    select 'book', internal.failure_code(o.book_error), count(*)
      from public.orders o
     where o.book_error is not null and o.book_ready_at is null
     group by 2
    union all
    select 'email', internal.failure_code(e.last_error), count(*)
      from internal.email_outbox e
     where e.status = 'failed'
     group by 2
  )
  select jsonb_build_object(
    'pages', (
      -- Every status, zero included, so a series never vanishes from a dashboard.
      select jsonb_agg(jsonb_build_object('status', s.status, 'count', coalesce(n.pages, 0)) order by s.status)
        from unnest(enum_range(null::public.page_status)) as s(status)
        left join (select p.status, count(*) as pages from public.story_pages p group by p.status) n
          on n.status = s.status
    ),
    'queues', coalesce((
      select jsonb_agg(jsonb_build_object(
               'queue', m.queue_name,
               'depth', m.queue_length,
               'oldest_message_age_seconds', coalesce(m.oldest_msg_age_sec, 0),
               'messages_total', m.total_messages
             ) order by m.queue_name)
        from pgmq.metrics_all() m
    ), '[]'),
    'provider_latency', coalesce((
      select jsonb_agg(jsonb_build_object(
               'model', s.model,
               'stage', s.stage,
               'bucket_counts', (
                 select jsonb_agg(coalesce(l.calls, 0) order by i)
                   from generate_series(0, cardinality(p_latency_buckets_seconds)) as i
                   left join latency l on l.model = s.model and l.stage = s.stage and l.bucket = i
               ),
               'sum_seconds', s.total_seconds
             ) order by s.model, s.stage)
        from latency_series s
    ), '[]'),
    'provider_failures', coalesce((
      select jsonb_agg(jsonb_build_object('model', f.model, 'stage', f.stage, 'code', f.code, 'count', f.calls)
                       order by f.model, f.stage, f.code)
        from (
          select c.model, c.stage, coalesce(c.error_code, c.status::text) as code, count(*) as calls
            from internal.provider_calls c
           where c.status in ('failed', 'cancelled')
           group by 1, 2, 3
        ) f
    ), '[]'),
    'failures', coalesce((
      select jsonb_agg(jsonb_build_object('kind', f.kind, 'code', f.code, 'count', f.items) order by f.kind, f.code)
        from failures f
    ), '[]'),
    'book_cost', (
      select jsonb_build_object(
               'bucket_counts', (
                 select jsonb_agg((select count(*) from books b where b.bucket = i) order by i)
                   from generate_series(0, cardinality(p_cost_buckets_usd)) as i
               ),
               'sum_usd', coalesce(sum(b.cost), 0)
             )
        from books b
    ),
    'books_delivered', (select count(*) from public.orders o where o.delivered_at is not null)
  );
$$;
comment on function internal.metrics_snapshot(numeric[], numeric[]) is 'What GET metrics exposes: pages by status, queues, provider latency per model and stage as histogram bucket counts (for the given upper bounds in seconds, plus an overflow bucket), provider call failures, failed pages, books and emails by code, cost per book as bucket counts (bounds in USD), and books delivered.';

-- Called as postgres (the owner) by the health and metrics functions; no API role may execute them.
revoke all on function internal.cron_schedule_period(text), internal.health_snapshot(), internal.failure_code(text),
  internal.metrics_snapshot(numeric[], numeric[])
  from public, anon, authenticated, service_role;

-- Cron's run history, trimmed daily to internal.health_settings.cron_history_days: pg_cron never cleans it, and
-- it grows by 50,000 rows a day. At a million rows past the jobs' last runs, health_snapshot takes 0.5 s.
select cron.schedule(
  'purge-cron-history',
  '37 4 * * *',
  $$
  delete from cron.job_run_details
   where start_time < now() - pg_catalog.make_interval(days => (select cron_history_days from internal.health_settings));
  $$
);
