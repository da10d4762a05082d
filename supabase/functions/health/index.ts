import { readEnv } from "../_shared/env.ts";
import { createHealthDeps } from "./deps.ts";
import { createHealthHandler } from "./handler.ts";

Deno.serve(createHealthHandler(createHealthDeps(readEnv(Deno.env.toObject()))));
