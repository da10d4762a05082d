import { readEnv } from "../_shared/env.ts";
import { createPageWorkerDeps } from "./deps.ts";
import { createPageWorkerHandler } from "./handler.ts";

Deno.serve(createPageWorkerHandler(createPageWorkerDeps(readEnv(Deno.env.toObject()))));
