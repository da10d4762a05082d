import assert from "node:assert/strict";
import { platformKeys } from "./keys.ts";

Deno.test("the local Shopify webhook secret is 32 random bytes in hex, made once per keys folder", async () => {
  const keysDir = await Deno.makeTempDir();
  const otherDir = await Deno.makeTempDir();
  try {
    const first = await platformKeys(keysDir);
    const again = await platformKeys(keysDir);
    const elsewhere = await platformKeys(otherDir);
    assert.match(first.shopifyWebhookSecret, /^[0-9a-f]{64}$/);
    assert.equal(again.shopifyWebhookSecret, first.shopifyWebhookSecret);
    assert.notEqual(elsewhere.shopifyWebhookSecret, first.shopifyWebhookSecret);
  } finally {
    await Deno.remove(keysDir, { recursive: true });
    await Deno.remove(otherDir, { recursive: true });
  }
});

Deno.test("processes starting together on an empty keys folder agree on one secret and one signing key", async () => {
  const keysDir = await Deno.makeTempDir();
  try {
    const started = await Promise.all(Array.from({ length: 8 }, () => platformKeys(keysDir)));
    assert.equal(new Set(started.map((keys) => keys.shopifyWebhookSecret)).size, 1);
    assert.equal(new Set(started.map((keys) => keys.jwks.keys[0].kid)).size, 1);
    const names = (await Array.fromAsync(Deno.readDir(keysDir))).map((entry) => entry.name).sort();
    assert.deepEqual(names, ["shopify_webhook_secret", "signing_key.json"], "no staged file is left behind");
  } finally {
    await Deno.remove(keysDir, { recursive: true });
  }
});
