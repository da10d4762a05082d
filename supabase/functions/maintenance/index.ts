import { readEnv } from "../_shared/env.ts";
import { createMaintenanceDeps } from "./deps.ts";
import { createMaintenanceHandler } from "./handler.ts";

Deno.serve(createMaintenanceHandler(createMaintenanceDeps(readEnv(Deno.env.toObject()))));
