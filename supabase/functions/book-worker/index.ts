import { readEnv } from "../_shared/env.ts";
import { createBookWorkerDeps } from "./deps.ts";
import { createBookWorkerHandler } from "./handler.ts";

Deno.serve(createBookWorkerHandler(createBookWorkerDeps(readEnv(Deno.env.toObject()))));
