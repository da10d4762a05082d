/**
 * GET health: whether Talecraft is working. Anyone may ask (verify_jwt = false: a monitor or a load balancer
 * carries no Supabase JWT), so the report holds no personal data and no secret: counts, ages, statuses, queue and
 * job names, and which providers are configured.
 *
 *   200 {status: "healthy", …} · 503 {status: "degraded", …, reasons: [{code, message}]} · 405 method_not_allowed
 *
 * Degraded when the database does not answer within the deadline (database_unreachable), a queue's oldest
 * message is past its limit (queue_backlog), or a cron job is overdue or failed its last run (cron_job_overdue,
 * cron_job_failed); the thresholds live in internal.health_settings. It answers within the deadline whatever the
 * database does.
 */
import type { Clock } from "../_shared/clock.ts";
import type { Env } from "../_shared/env.ts";
import { ApiError, json, serveJson } from "../_shared/http.ts";
import type { DatabaseCheck, HealthReason, HealthSnapshot, HealthStore } from "./health_store.ts";

export interface Providers {
  image: Env["IMAGE_PROVIDER"];
  email: Env["EMAIL_SENDER"];
}

export interface HealthDeps {
  store: HealthStore;
  providers: Providers;
  clock: Clock;
  config: {
    /** How long the database has to answer before it counts as unreachable. */
    databaseDeadlineMs: number;
  };
  log?: (line: string) => void;
}

export interface HealthReport {
  status: "healthy" | "degraded";
  checked_at: string;
  database: { reachable: boolean; latency_ms: number | null };
  /** Null when the database could not be asked. */
  queues: HealthSnapshot["queues"] | null;
  cron: HealthSnapshot["cron"] | null;
  providers: Providers;
  reasons: HealthReason[];
}

class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
}

async function withinDeadline<T>(work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineExceeded(`no answer within ${milliseconds} ms`)),
      milliseconds,
    );
  });
  try {
    // The work goes on after a missed deadline; racing it keeps its late failure from going unhandled.
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function createHealthHandler(deps: HealthDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;
  const deadlineMs = deps.config.databaseDeadlineMs;

  async function checkDatabase(): Promise<DatabaseCheck | HealthReason> {
    try {
      return await withinDeadline(deps.store.check(), deadlineMs);
    } catch (error) {
      const late = error instanceof DeadlineExceeded;
      log(JSON.stringify({
        level: "error",
        event: "health_database_unreachable",
        error: error instanceof Error ? error.name : typeof error,
        message: error instanceof Error ? error.message : String(error),
      }));
      return {
        code: "database_unreachable",
        message: late
          ? `The database did not answer within ${deadlineMs} ms.`
          : "The database could not be reached.",
      };
    }
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "GET") {
      throw new ApiError(405, "method_not_allowed", "Use GET here.", { allow: "GET" });
    }
    const checked = await checkDatabase();
    const reachable = "snapshot" in checked;
    const reasons = reachable ? checked.snapshot.reasons : [checked];
    const report: HealthReport = {
      status: reasons.length === 0 ? "healthy" : "degraded",
      checked_at: deps.clock.now().toISOString(),
      database: { reachable, latency_ms: reachable ? checked.latencyMs : null },
      queues: reachable ? checked.snapshot.queues : null,
      cron: reachable ? checked.snapshot.cron : null,
      providers: deps.providers,
      reasons,
    };
    // A load balancer or monitor reads the status code alone.
    return json(report, report.status === "healthy" ? 200 : 503, { "cache-control": "no-store" });
  }

  return serveJson(handle, { log });
}
