/**
 * Stand-in for pg_cron's launcher. It reads `cron.job` (reloading on NOTIFY `cron_job_changed`), runs each due
 * job as its `username` with that role's own settings, and records every run in `cron.job_run_details` with
 * pg_cron's status values. As with pg_cron, one instance of a job runs at a time: a run that comes due while
 * the previous one is still going waits for it and then runs once.
 */
import type postgres from "postgres";
import type { PlatformContext, PlatformWorker } from "../context.ts";
import { nextRunAfter, parseSchedule, type Schedule } from "./cron_schedule.ts";
import { errorFields } from "../log.ts";

/** How often due jobs are looked for: seconds schedules need well under a second. */
const TICK_MS = 100;
/** pg_cron's `cron.max_running_jobs` default. */
const MAX_RUNNING_JOBS = 32;

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

export async function startCronScheduler(context: PlatformContext): Promise<PlatformWorker> {
  const { admin, log, database } = context;
  const now = () => new Date();
  const listener = context.connect({ max: 1 });
  const jobs = new Map<string, JobState>();
  const running = new Set<Promise<void>>();
  let closed = false;
  let reloadQueued = true;

  await listener.listen(CHANNEL, () => {
    reloadQueued = true;
  });

  async function reload(): Promise<void> {
    const [{ present }] = await admin<{ present: boolean }[]>`
      select to_regclass('cron.job') is not null as present`;
    if (!present) {
      reloadQueued = false;
      return;
    }
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
        log.error("cron_schedule_invalid", { jobid: row.jobid, ...errorFields(error) });
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
    // Cleared only after a successful reload, so a failed one is tried again on the next tick.
    reloadQueued = false;
  }

  async function tick(): Promise<void> {
    if (reloadQueued) await reload();
    const current = now();
    for (const job of jobs.values()) {
      // Jobs of other databases belong to the platform serving that database.
      if (!job.row.active || !job.schedule || !job.nextRun || job.row.database !== database) continue;
      if (job.nextRun > current) continue;
      job.nextRun = nextRunAfter(job.schedule, current);
      if (job.running || running.size >= MAX_RUNNING_JOBS) {
        job.queued = true;
        continue;
      }
      start(job);
    }
  }

  function start(job: JobState): void {
    job.running = true;
    const run = execute(job.row).catch((error) => {
      log.error("cron_run_failed", { jobid: job.row.jobid, ...errorFields(error) });
    }).finally(() => {
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
    let status = "failed";
    let message = "";
    let runid: string | null = null;
    // As pg_cron does, each run is a new session logged in as the job's user: its role settings apply, and the
    // command cannot `reset role` its way to the scheduler's privileges. Nothing wraps it in a transaction, so
    // VACUUM and procedures that COMMIT behave as they do on Supabase.
    const session = context.connectAs(row.username, { max: 1 });
    try {
      [{ runid }] = await admin<{ runid: string }[]>`
        insert into cron.job_run_details (jobid, database, username, command, status, start_time)
        values (${row.jobid}::bigint, ${row.database}, ${row.username}, ${row.command}, 'starting', now())
        returning runid::text`;
      const connection = await session.reserve();
      try {
        const [{ pid }] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
        await admin`update cron.job_run_details set status = 'running', job_pid = ${pid}
                    where runid = ${runid}::bigint`;
        message = describeResult(await connection.unsafe(row.command));
        status = "succeeded";
      } finally {
        connection.release();
      }
    } catch (error) {
      message = (error as Error).message;
    } finally {
      await session.end({ timeout: 5 });
    }
    if (runid !== null) {
      await admin`update cron.job_run_details set status = ${status}, return_message = ${message}, end_time = now()
                  where runid = ${runid}::bigint`.catch((error) => {
        if (!closed) log.error("cron_run_not_recorded", { jobid: row.jobid, ...errorFields(error) });
      });
    }
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
      if (!closed) log.error("cron_tick_failed", errorFields(error));
    } finally {
      ticking = false;
    }
  }, TICK_MS);
  log.info("cron_scheduler_started", {});

  return {
    name: "cron_scheduler",
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([...running]);
      await listener.end({ timeout: 5 });
    },
  };
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
