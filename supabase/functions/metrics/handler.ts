/**
 * GET metrics: the operators' metrics in Prometheus' text format (0.0.4), for a scraper holding the service role
 * key. No Supabase JWT is required at the gateway (verify_jwt = false); the key is checked here, in constant time.
 *
 *   200 text/plain; version=0.0.4 · 401 unauthorized · 405 method_not_allowed
 */
import { requireServiceKey } from "../_shared/auth.ts";
import { ApiError, corsHeaders, serveJson } from "../_shared/http.ts";
import { HISTOGRAM_BOUNDS, metricFamilies } from "./metric_families.ts";
import type { MetricsStore } from "./metrics_store.ts";
import { formatExposition, PROMETHEUS_CONTENT_TYPE } from "./prometheus_text.ts";

export interface MetricsDeps {
  store: MetricsStore;
  config: { serviceRoleKey: string };
  log?: (line: string) => void;
}

export function createMetricsHandler(deps: MetricsDeps): (request: Request) => Promise<Response> {
  async function handle(request: Request): Promise<Response> {
    if (request.method !== "GET") {
      throw new ApiError(405, "method_not_allowed", "Use GET here.", { allow: "GET" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const snapshot = await deps.store.snapshot(HISTOGRAM_BOUNDS);
    return new Response(formatExposition(metricFamilies(snapshot)), {
      headers: { ...corsHeaders, "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
    });
  }

  return serveJson(handle, { log: deps.log });
}
