/** The health function's real dependencies, built once per function instance from the environment. */
import { systemClock } from "../_shared/clock.ts";
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import type { HealthDeps } from "./handler.ts";
import { createHealthStore } from "./health_store.ts";

/**
 * The time bounds of one check: a connection attempt gives up after CONNECT_TIMEOUT_SECONDS and the snapshot
 * after STATEMENT_TIMEOUT_MS, both inside DATABASE_DEADLINE_MS, after which the answer is 503 whatever the
 * database is doing.
 */
const CONNECT_TIMEOUT_SECONDS = 2;
const STATEMENT_TIMEOUT_MS = 2_000;
const DATABASE_DEADLINE_MS = 3_000;

export function createHealthDeps(env: Env): HealthDeps {
  const sql = createDatabase(env.SUPABASE_DB_URL, {
    max: 1,
    applicationName: "health",
    connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS,
  });
  return {
    store: createHealthStore(sql, { statementTimeoutMs: STATEMENT_TIMEOUT_MS }),
    // Which providers are configured, never their keys.
    providers: { image: env.IMAGE_PROVIDER, email: env.EMAIL_SENDER },
    clock: systemClock,
    config: { databaseDeadlineMs: DATABASE_DEADLINE_MS },
  };
}
