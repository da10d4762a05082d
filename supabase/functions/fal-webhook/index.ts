import { readEnv } from "../_shared/env.ts";
import { createFalWebhookDeps } from "./deps.ts";
import { createFalWebhookHandler } from "./handler.ts";

Deno.serve(createFalWebhookHandler(createFalWebhookDeps(readEnv(Deno.env.toObject()))));
