import assert from "node:assert/strict";
import { orderBody, shopifyDelivery, shopifyHmac } from "../../../tests/support/shopify_fixtures.ts";
import { createShopifyWebhookHandler } from "./handler.ts";
import type { PaidOrder, WebhookStore } from "./webhook_store.ts";

const SECRET = "shpss_secret";
const URL_ = "https://project.supabase.co/functions/v1/shopify-webhooks";

function setup(secrets = [SECRET]) {
  const paid: PaidOrder[] = [];
  const calls: string[] = [];
  const store: WebhookStore = {
    orderPaid: (order) => {
      paid.push(order);
      return Promise.resolve("order_created");
    },
    orderCancelled: () => {
      calls.push("cancelled");
      return Promise.resolve("cancelled");
    },
    dataRequest: () => {
      calls.push("data_request");
      return Promise.resolve("data_request_recorded");
    },
    redaction: (redaction) => {
      calls.push(`redaction:${redaction.topic}:${redaction.subject}`);
      return Promise.resolve("redaction_recorded");
    },
    unreadable: (topic, _shop, _headers, problem) => {
      calls.push(`unreadable:${topic}:${problem}`);
      return Promise.resolve("unreadable");
    },
  };
  const logs: string[] = [];
  const handler = createShopifyWebhookHandler({ store, secrets, log: (line) => logs.push(line) });
  return { handler, paid, calls, logs };
}

async function codeOf(response: Response): Promise<string> {
  return (await response.json()).error.code;
}

Deno.test("a GET is refused with 405", async () => {
  const response = await setup().handler(new Request(URL_));
  assert.equal(response.status, 405);
  assert.equal(await codeOf(response), "method_not_allowed");
});

Deno.test("without a configured secret every delivery is answered 503 shopify_not_configured", async () => {
  const { handler, paid } = setup([]);
  const response = await handler(
    await shopifyDelivery(URL_, orderBody(), { topic: "orders/paid", secret: SECRET }),
  );
  assert.equal(response.status, 503);
  assert.equal(await codeOf(response), "shopify_not_configured");
  assert.deepEqual(paid, []);
});

Deno.test("a signature of the wrong length or not base64 is refused as a bad HMAC", async () => {
  for (const signature of ["", "abc", "!!notbase64!!", btoa("short")]) {
    const request = await shopifyDelivery(URL_, orderBody(), { topic: "orders/paid", secret: SECRET });
    request.headers.set("x-shopify-hmac-sha256", signature);
    const response = await setup().handler(request);
    assert.equal(response.status, 401, signature);
  }
});

Deno.test("a signed body we cannot read, not JSON or JSON of the wrong shape, is kept for an operator and answered 200", async () => {
  const { handler, calls } = setup();
  const notJson = await handler(
    await shopifyDelivery(URL_, "{not json", { topic: "orders/paid", secret: SECRET }),
  );
  assert.equal(notJson.status, 200);
  assert.deepEqual(await notJson.json(), { outcome: "unreadable" });
  const missing = await handler(
    await shopifyDelivery(URL_, '{"id": 1}', { topic: "orders/paid", secret: SECRET }),
  );
  assert.equal(missing.status, 200);
  assert.deepEqual(await missing.json(), { outcome: "unreadable" });
  assert.deepEqual(calls, [
    "unreadable:orders/paid:body is not JSON",
    "unreadable:orders/paid:admin_graphql_api_id",
  ]);
});

Deno.test("a signed order body replayed as orders/cancelled is not a cancellation (no cancelled_at)", async () => {
  const { handler, calls } = setup();
  const response = await handler(
    await shopifyDelivery(URL_, orderBody(), { topic: "orders/cancelled", secret: SECRET }),
  );
  assert.deepEqual(await response.json(), { outcome: "unreadable" });
  assert.deepEqual(calls, ["unreadable:orders/cancelled:cancelled_at"]);
});

Deno.test("a compliance body naming another shop than the delivery header is refused with 401", async () => {
  const { handler, calls } = setup();
  const response = await handler(
    await shopifyDelivery(URL_, '{"shop_id":1,"shop_domain":"another-shop.myshopify.com"}', {
      topic: "shop/redact",
      secret: SECRET,
    }),
  );
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.code, "shop_mismatch");
  assert.deepEqual(calls, []);
});

Deno.test("a delivery without a topic or shop header is answered 400 once its HMAC is good", async () => {
  const request = await shopifyDelivery(URL_, orderBody(), { topic: "orders/paid", secret: SECRET });
  request.headers.delete("x-shopify-shop-domain");
  const response = await setup().handler(request);
  assert.equal(response.status, 400);
});

Deno.test("orders/paid reads ids exactly, the preview property, the test flag and the buyer's address", async () => {
  const { handler, paid } = setup();
  const previewId = crypto.randomUUID();
  const response = await handler(
    await shopifyDelivery(URL_, orderBody({ previewId, test: true }), {
      topic: "orders/paid",
      secret: SECRET,
    }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { outcome: "order_created" });
  assert.deepEqual(paid, [{
    shop: "talecraft-test.myshopify.com",
    orderGid: "gid://shopify/Order/820982911946154508",
    orderId: "820982911946154508",
    orderName: "#1001",
    isTest: true,
    customerId: "115310627314723954",
    customerEmail: "parent@example.com",
    previewId,
  }]);
});

Deno.test("the preview id is also read from the property preview_id, and is null when absent", async () => {
  const { handler, paid } = setup();
  const previewId = crypto.randomUUID();
  await handler(
    await shopifyDelivery(URL_, orderBody({ previewId, previewProperty: "preview_id" }), {
      topic: "orders/paid",
      secret: SECRET,
    }),
  );
  await handler(
    await shopifyDelivery(URL_, orderBody({ previewId: null }), { topic: "orders/paid", secret: SECRET }),
  );
  assert.deepEqual(paid.map((order) => order.previewId), [previewId, null]);
});

Deno.test("the newer Shopify- header names are accepted like the X-Shopify- ones", async () => {
  const body = orderBody({ previewId: null });
  const request = new Request(URL_, {
    method: "POST",
    headers: {
      "shopify-topic": "orders/paid",
      "shopify-shop-domain": "talecraft-test.myshopify.com",
      "shopify-hmac-sha256": await shopifyHmac(body, SECRET),
    },
    body,
  });
  const response = await setup().handler(request);
  assert.equal(response.status, 200);
});

Deno.test("shop/redact is recorded under the shop's domain, and a topic we never asked for is acknowledged", async () => {
  const { handler, calls } = setup();
  const redact = await handler(
    await shopifyDelivery(URL_, '{"shop_id":1,"shop_domain":"talecraft-test.myshopify.com"}', {
      topic: "shop/redact",
      secret: SECRET,
    }),
  );
  assert.equal(redact.status, 200);
  const other = await handler(
    await shopifyDelivery(URL_, "{}", { topic: "products/update", secret: SECRET }),
  );
  assert.deepEqual(await other.json(), { outcome: "ignored" });
  assert.deepEqual(calls, ["redaction:shop/redact:talecraft-test.myshopify.com"]);
});

Deno.test("the log line names the topic and outcome, never the buyer", async () => {
  const { handler, logs } = setup();
  await handler(await shopifyDelivery(URL_, orderBody(), { topic: "orders/paid", secret: SECRET }));
  assert.ok(logs.some((line) => line.includes('"outcome":"order_created"')));
  assert.ok(logs.every((line) => !line.includes("parent@example.com")));
});
