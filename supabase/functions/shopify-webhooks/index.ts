import { readEnv } from "../_shared/env.ts";
import { createShopifyWebhookDeps } from "./deps.ts";
import { createShopifyWebhookHandler } from "./handler.ts";

Deno.serve(createShopifyWebhookHandler(createShopifyWebhookDeps(readEnv(Deno.env.toObject()))));
