import assert from "node:assert/strict";
import { createDevHandler, type DevDeps, DevError } from "./dev_routes.ts";
import type { BookEmail } from "./dev_store.ts";

const OWNER = "6f1c1b9e-5a4d-4a51-9b0e-3a9f2f0c8e11";
const PREVIEW = "0b7e4c1e-2d3f-4b5a-8c6d-7e8f9a0b1c2d";
const ORDER_ID = "734529187645301928";

interface Recorded {
  delivered: string[];
  errors: unknown[];
}

function handlerWith(
  overrides: Partial<DevDeps> = {},
): { handle: (request: Request) => Promise<Response> } & Recorded {
  const recorded: Recorded = { delivered: [], errors: [] };
  const deps: DevDeps = {
    authenticate: (request) =>
      request.headers.get("authorization") === "Bearer session"
        ? Promise.resolve(OWNER)
        : Promise.reject(new DevError(401, "unauthorized", "Sign in first.")),
    store: {
      ownsPreview: (userId, previewId) => Promise.resolve(userId === OWNER && previewId === PREVIEW),
      bookEmails: () => Promise.resolve([]),
    },
    deliverOrderPaid(body) {
      recorded.delivered.push(body);
      return Promise.resolve(Response.json({ outcome: "order_created" }));
    },
    newOrderId: () => ORDER_ID,
    samplePhoto: () => Promise.resolve(new Uint8Array([0xff, 0xd8, 0xff, 0xd9])),
    onError: (error) => recorded.errors.push(error),
    ...overrides,
  };
  const handler = createDevHandler(deps);
  return { ...recorded, handle: (request) => handler(request, new URL(request.url)) };
}

function purchase(body: unknown, token = "session"): Request {
  return new Request("http://platform.test/dev/v1/simulate-purchase", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("a simulated purchase delivers an orders/paid naming the preview and the email, and answers the order id and the webhook's status", async () => {
  const dev = handlerWith();
  const response = await dev.handle(purchase({ preview_id: PREVIEW, email: "parent@example.com" }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    order_id: ORDER_ID,
    webhook_status: 200,
    outcome: "order_created",
  });
  assert.equal(dev.delivered.length, 1);
  // The order id is written as a bare number, as Shopify writes it (it exceeds 2^53).
  assert.match(dev.delivered[0], new RegExp(`^\\{"id":${ORDER_ID},`));
  assert.match(dev.delivered[0], new RegExp(`"name":"_preview_id","value":"${PREVIEW}"`));
  assert.match(dev.delivered[0], /"email":"parent@example.com"/);
});

Deno.test("a purchase of a preview that is not the caller's is 404 preview_not_found and sends nothing", async () => {
  const dev = handlerWith();
  const response = await dev.handle(
    purchase({ preview_id: "11111111-2222-4333-8444-555555555555", email: "parent@example.com" }),
  );
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), {
    error: { code: "preview_not_found", message: "No preview with this id was found." },
  });
  assert.deepEqual(dev.delivered, []);
});

Deno.test("a purchase without a valid email is 400 invalid_request naming the field", async () => {
  const dev = handlerWith();
  const response = await dev.handle(purchase({ preview_id: PREVIEW, email: "not an address" }));
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: { code: "invalid_request", message: "email: must be an email address" },
  });
  assert.deepEqual(dev.delivered, []);
});

Deno.test("a purchase body that is not JSON is 400 invalid_request", async () => {
  const dev = handlerWith();
  const response = await dev.handle(
    new Request("http://platform.test/dev/v1/simulate-purchase", {
      method: "POST",
      headers: { authorization: "Bearer session" },
      body: "preview please",
    }),
  );
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error.code, "invalid_request");
});

Deno.test("a purchase the webhook refuses is 502 webhook_refused, quoting the function's error", async () => {
  const dev = handlerWith({
    deliverOrderPaid: () =>
      Promise.resolve(
        Response.json({ error: { code: "invalid_hmac", message: "Bad signature." } }, { status: 401 }),
      ),
  });
  const response = await dev.handle(purchase({ preview_id: PREVIEW, email: "parent@example.com" }));
  assert.equal(response.status, 502);
  assert.deepEqual(await response.json(), {
    error: {
      code: "webhook_refused",
      message: "shopify-webhooks answered 401 (invalid_hmac: Bad signature.).",
    },
  });
});

Deno.test("every route needs a user's session: without one it is 401 unauthorized and nothing runs", async () => {
  const dev = handlerWith();
  for (
    const request of [
      purchase({ preview_id: PREVIEW, email: "parent@example.com" }, "anon-key"),
      new Request("http://platform.test/dev/v1/outbox"),
      new Request("http://platform.test/dev/v1/sample-photo"),
    ]
  ) {
    const response = await dev.handle(request);
    assert.equal(response.status, 401, new URL(request.url).pathname);
    assert.equal((await response.json()).error.code, "unauthorized");
  }
  assert.deepEqual(dev.delivered, []);
});

Deno.test("the outbox lists the caller's book emails", async () => {
  const email: BookEmail = {
    order_id: ORDER_ID,
    order_name: "#1001",
    to: "parent@example.com",
    subject: "Your book is ready",
    status: "sent",
    created_at: "2026-11-30T12:00:00.000Z",
    sent_at: "2026-11-30T12:00:01.000Z",
    text: "https://example.test/functions/v1/downloads/x?token=y",
    html: "<p>…</p>",
    download_url: null,
    last_error: null,
  };
  const asked: string[] = [];
  const dev = handlerWith({
    store: {
      ownsPreview: () => Promise.resolve(false),
      bookEmails: (userId) => {
        asked.push(userId);
        return Promise.resolve([email]);
      },
    },
  });
  const response = await dev.handle(
    new Request("http://platform.test/dev/v1/outbox", { headers: { authorization: "Bearer session" } }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { emails: [email] });
  assert.deepEqual(asked, [OWNER]);
});

Deno.test("the sample photo is served as a JPEG", async () => {
  const response = await handlerWith().handle(
    new Request("http://platform.test/dev/v1/sample-photo", { headers: { authorization: "Bearer session" } }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
});

Deno.test("a route called with the wrong method is 405 with Allow, and an unknown route is 404", async () => {
  const dev = handlerWith();
  const wrongMethod = await dev.handle(
    new Request("http://platform.test/dev/v1/simulate-purchase", {
      headers: { authorization: "Bearer session" },
    }),
  );
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST, OPTIONS");
  assert.equal((await wrongMethod.json()).error.code, "method_not_allowed");
  for (const path of ["/dev/v1/nothing", "/dev/v1/constructor", "/dev/v1/outbox/extra"]) {
    const response = await dev.handle(new Request(`http://platform.test${path}`));
    assert.equal(response.status, 404, path);
    assert.equal((await response.json()).error.code, "not_found");
  }
});

Deno.test("an unexpected failure is 500 internal_error: reported to the platform, its message kept from the caller", async () => {
  const failure = new Error("connection to parent@example.com refused");
  const dev = handlerWith({
    store: { ownsPreview: () => Promise.reject(failure), bookEmails: () => Promise.reject(failure) },
  });
  const response = await dev.handle(purchase({ preview_id: PREVIEW, email: "parent@example.com" }));
  assert.equal(response.status, 500);
  const body = await response.json();
  assert.equal(body.error.code, "internal_error");
  assert.doesNotMatch(body.error.message, /parent@example.com/);
  assert.deepEqual(dev.errors, [failure]);
});
