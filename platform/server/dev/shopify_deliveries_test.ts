import assert from "node:assert/strict";
import { effectiveShopifySecret, randomShopifyOrderId } from "./shopify_deliveries.ts";

const keys = { shopifyWebhookSecret: "local-default" };

Deno.test("the project's own Shopify secret wins over the platform's local default", () => {
  const projectConfig = { functionSecrets: { SHOPIFY_WEBHOOK_SECRET: "shpss_from_env" } };
  assert.equal(effectiveShopifySecret(projectConfig, keys), "shpss_from_env");
});

Deno.test("without a project secret, or with an empty one (as .env.example leaves it), the local default is used", () => {
  assert.equal(effectiveShopifySecret({ functionSecrets: {} }, keys), "local-default");
  assert.equal(
    effectiveShopifySecret({ functionSecrets: { SHOPIFY_WEBHOOK_SECRET: "" } }, keys),
    "local-default",
  );
});

Deno.test("a random order id has 18 digits, like Shopify's, and is fresh each time", () => {
  const ids = Array.from({ length: 50 }, randomShopifyOrderId);
  for (const id of ids) assert.match(id, /^[1-9]\d{17}$/);
  assert.equal(new Set(ids).size, ids.length);
});
