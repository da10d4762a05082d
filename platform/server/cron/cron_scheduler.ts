/**
 * Stand-in for pg_cron's launcher. It reads `cron.job` (reloading on NOTIFY `cron_job_changed`), runs each due
 * job as its `username` with that role's own settings, and records every run in `cron.job_run_details` with
 * pg_cron's status values. As with pg_cron, one instance of a job runs at a time: a run that comes due while
 * the previous one is still going waits for it and then runs once.
 */
import type postgres from "postgres";
import type { PlatformContext, PlatformWorker } from "../context.ts";
import { nextRunAfter, parseSchedule, type Schedule } from "./cron_schedule.ts";

export interface CronSchedulerOptions {
  /** How often due jobs are looked for. Seconds schedules need well under a second. */
  tickMs?: number;
  /** pg_cron's `cron.max_running_jobs` (32 by default). */
  maxRunningJobs?: number;
  now?: () => Date;
}

interface JobRow {
  jobid: string;
  jobname: string | null;
  schedule: string;
  command: string;
  database: string;
  username: string;
  active: boolean;
}

interface JobState {
  row: JobRow;
  schedule: Schedule | null;
  nextRun: Date | null;
  running: boolean;
  queued: boolean;
}

const CHANNEL = "cron_job_changed";

export async function startCronScheduler(
  context: PlatformContext,
  options: CronSchedulerOptions = {},
): Promise<PlatformWorker> {
  const { admin, log, database } = context;
  const now = options.now ?? (() => new Date());
  const maxRunning = options.maxRunningJobs ?? 32;
  const runner = context.connect({ max: Math.min(maxRunning, 8), idle_timeout: 30 });
  const listener = context.connect({ max: 1 });
  const jobs = new Map<string, JobState>();
  const running = new Set<Promise<void>>();
  let closed = false;
  let reloadQueued = true;

  await listener.listen(CHANNEL, () => {
    reloadQueued = true;
  });

  async function reload(): Promise<void> {
    reloadQueued = false;
    const [{ present }] = await admin<{ present: boolean }[]>`
      select to_regclass('cron.job') is not null as present`;
    if (!present) return;
    const rows = await admin<JobRow[]>`
      select jobid::text, jobname, schedule, command, database, username, active from cron.job`;
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.jobid);
      const existing = jobs.get(row.jobid);
      if (existing && existing.row.schedule === row.schedule) {
        existing.row = row;
        continue;
      }
      let schedule: Schedule | null = null;
      try {
        schedule = parseSchedule(row.schedule);
      } catch (error) {
        log.error("cron_schedule_invalid", { jobid: row.jobid, error: (error as Error).message });
      }
      jobs.set(row.jobid, {
        row,
        schedule,
        nextRun: schedule ? nextRunAfter(schedule, now()) : null,
        running: existing?.running ?? false,
        queued: false,
      });
    }
    for (const jobid of jobs.keys()) if (!seen.has(jobid)) jobs.delete(jobid);
  }

  async function tick(): Promise<void> {
    if (reloadQueued) await reload();
    const current = now();
    for (const job of jobs.values()) {
      // Jobs of other databases belong to the platform serving that database.
      if (!job.row.active || !job.schedule || !job.nextRun || job.row.database !== database) continue;
      if (job.nextRun > current) continue;
      job.nextRun = nextRunAfter(job.schedule, current);
      if (job.running || running.size >= maxRunning) {
        job.queued = true;
        continue;
      }
      start(job);
    }
  }

  function start(job: JobState): void {
    job.running = true;
    const run = execute(job.row).finally(() => {
      job.running = false;
      running.delete(run);
      if (job.queued && !closed && jobs.get(job.row.jobid) === job) {
        job.queued = false;
        start(job);
      }
    });
    running.add(run);
  }

  async function execute(row: JobRow): Promise<void> {
    const started = performance.now();
    const [{ runid }] = await admin<{ runid: string }[]>`
      insert into cron.job_run_details (jobid, database, username, command, status, start_time)
      values (${row.jobid}::bigint, ${row.database}, ${row.username}, ${row.command}, 'starting', now())
      returning runid::text`;
    let status = "succeeded";
    let message: string;
    try {
      message = await runner.begin(async (sql) => {
        const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
        await admin`update cron.job_run_details set status = 'running', job_pid = ${pid}
                    where runid = ${runid}::bigint`;
        await actAs(sql, row.username);
        return describeResult(await sql.unsafe(row.command));
      }) as string;
    } catch (error) {
      status = "failed";
      message = (error as Error).message;
    }
    await admin`update cron.job_run_details set status = ${status}, return_message = ${message}, end_time = now()
                where runid = ${runid}::bigint`.catch((error) => {
      if (!closed) log.error("cron_run_not_recorded", { jobid: row.jobid, error: (error as Error).message });
    });
    log.info("cron_run", {
      jobid: row.jobid,
      jobname: row.jobname,
      status,
      duration_ms: Math.round(performance.now() - started),
    });
  }

  let ticking = false;
  const timer = setInterval(async () => {
    if (ticking || closed) return;
    ticking = true;
    try {
      await tick();
    } catch (error) {
      if (!closed) log.error("cron_tick_failed", { error: (error as Error).message });
    } finally {
      ticking = false;
    }
  }, options.tickMs ?? 100);
  log.info("cron_scheduler_started", {});

  return {
    name: "cron_scheduler",
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([...running]);
      await Promise.all([listener.end({ timeout: 5 }), runner.end({ timeout: 5 })]);
    },
  };
}

/**
 * Becomes the job's user for this transaction, with the settings `alter role ... set` gave that user, since
 * pg_cron opens a session as that user and those settings (search_path, statement_timeout) would apply.
 */
async function actAs(sql: postgres.TransactionSql, username: string): Promise<void> {
  const settings = await sql<{ name: string; value: string }[]>`
    select split_part(setting, '=', 1) as name, substr(setting, strpos(setting, '=') + 1) as value
    from pg_catalog.pg_db_role_setting s
    cross join lateral unnest(s.setconfig) as setting
    where s.setrole = (select oid from pg_catalog.pg_roles where rolname = ${username})
      and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
    order by s.setdatabase`;
  for (const { name, value } of settings) {
    await sql`select set_config(${name}, ${value}, true)`;
  }
  await sql`select set_config('role', ${username}, true)`;
}

/**
 * pg_cron records "N rows" for a statement that returns rows and the command tag otherwise ("INSERT 0 1").
 * Only the last statement of a multi-statement command counts.
 */
function describeResult(
  result: postgres.RowList<postgres.Row[]> | postgres.RowList<postgres.Row[]>[],
): string {
  const last = Array.isArray(result) && result.length > 0 && Array.isArray(result.at(-1))
    ? result.at(-1) as postgres.RowList<postgres.Row[]>
    : result as postgres.RowList<postgres.Row[]>;
  const count = last.count ?? last.length;
  if (last.command === "SELECT") return `${count} row${count === 1 ? "" : "s"}`;
  if (last.command === "INSERT") return `INSERT 0 ${count}`;
  return [last.command, last.count].filter((part) => part !== undefined && part !== null).join(" ");
}
