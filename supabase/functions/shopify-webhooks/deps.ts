/** The Shopify webhook's real dependencies, built once per function instance from the environment. */
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import type { ShopifyWebhookDeps } from "./handler.ts";
import { createWebhookStore } from "./webhook_store.ts";

export function createShopifyWebhookDeps(env: Env): ShopifyWebhookDeps {
  return {
    // A burst of deliveries (a sale) each takes one short transaction.
    store: createWebhookStore(
      createDatabase(env.SUPABASE_DB_URL, { max: 5, applicationName: "shopify-webhooks" }),
    ),
    secrets: [env.SHOPIFY_WEBHOOK_SECRET, env.SHOPIFY_WEBHOOK_SECRET_PREVIOUS].filter((secret) =>
      secret !== undefined
    ),
  };
}
