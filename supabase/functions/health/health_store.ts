/** The database's side of GET health: a round trip, then internal.health_snapshot under a statement timeout. */
import type { Sql } from "../_shared/database.ts";

export interface HealthReason {
  code: string;
  message: string;
}

/** What internal.health_snapshot returns. */
export interface HealthSnapshot {
  queues: {
    name: string;
    depth: number;
    oldest_message_age_seconds: number | null;
    max_age_seconds: number;
  }[];
  cron: {
    job: string;
    schedule: string;
    active: boolean;
    last_run: { status: string | null; started_at: string | null; ended_at: string | null } | null;
    overdue: boolean;
  }[];
  reasons: HealthReason[];
}

export interface DatabaseCheck {
  /** The round trip of a trivial query (a new connection's set-up included). */
  latencyMs: number;
  snapshot: HealthSnapshot;
}

export interface HealthStore {
  check(): Promise<DatabaseCheck>;
}

export function createHealthStore(sql: Sql, options: { statementTimeoutMs: number }): HealthStore {
  return {
    async check() {
      const started = performance.now();
      await sql`select 1`;
      const latencyMs = Math.round(performance.now() - started);
      const snapshot = await sql.begin(async (tx) => {
        // A database too busy to answer in time is reported as such rather than holding the request.
        await tx`select set_config('statement_timeout', ${String(options.statementTimeoutMs)}, true)`;
        const [row] = await tx<{ snapshot: HealthSnapshot }[]>`select internal.health_snapshot() as snapshot`;
        return row.snapshot;
      });
      return { latencyMs, snapshot };
    },
  };
}
