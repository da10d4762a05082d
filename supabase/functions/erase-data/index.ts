import { readEnv } from "../_shared/env.ts";
import { createEraseDataDeps } from "./deps.ts";
import { createEraseDataHandler } from "./handler.ts";

Deno.serve(createEraseDataHandler(createEraseDataDeps(readEnv(Deno.env.toObject()))));
