import { readEnv } from "../_shared/env.ts";
import { createMetricsDeps } from "./deps.ts";
import { createMetricsHandler } from "./handler.ts";

Deno.serve(createMetricsHandler(createMetricsDeps(readEnv(Deno.env.toObject()))));
