import { readEnv } from "../_shared/env.ts";
import { createEmailWorkerDeps } from "./deps.ts";
import { createEmailWorkerHandler } from "./handler.ts";

Deno.serve(createEmailWorkerHandler(await createEmailWorkerDeps(readEnv(Deno.env.toObject()))));
