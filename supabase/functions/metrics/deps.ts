/** The metrics function's real dependencies, built once per function instance from the environment. */
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import type { MetricsDeps } from "./handler.ts";
import { createMetricsStore } from "./metrics_store.ts";

export function createMetricsDeps(env: Env): MetricsDeps {
  return {
    // One scrape at a time needs one connection.
    store: createMetricsStore(createDatabase(env.SUPABASE_DB_URL, { max: 1, applicationName: "metrics" })),
    config: { serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY },
  };
}
