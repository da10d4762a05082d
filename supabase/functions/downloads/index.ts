import { readEnv } from "../_shared/env.ts";
import { createDownloadDeps } from "./deps.ts";
import { createDownloadHandler } from "./handler.ts";

Deno.serve(createDownloadHandler(await createDownloadDeps(readEnv(Deno.env.toObject()))));
