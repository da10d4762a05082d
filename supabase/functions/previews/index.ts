import { readEnv } from "../_shared/env.ts";
import { createPreviewsDeps } from "./deps.ts";
import { createPreviewsHandler } from "./handler.ts";

Deno.serve(createPreviewsHandler(createPreviewsDeps(readEnv(Deno.env.toObject()))));
