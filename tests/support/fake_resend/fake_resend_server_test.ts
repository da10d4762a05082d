/** The fake Resend server spoken to with plain fetch, as the API documentation describes the wire. */
import assert from "node:assert/strict";
import { type FakeResend, type FakeResendOptions, startFakeResend } from "./fake_resend_server.ts";

const API_KEY = "re_fake_key";
const EMAIL = {
  from: "Talecraft <books@talecraft.example>",
  to: "parent@example.com",
  subject: "Your book is ready",
  html: "<p>Ready.</p>",
  text: "Ready.",
};

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function withFake(
  test: (
    fake: FakeResend,
    post: (body: unknown, headers?: Record<string, string>) => Promise<Answer>,
  ) => Promise<void>,
  options: Partial<FakeResendOptions> = {},
) {
  const fake = await startFakeResend({ apiKey: API_KEY, ...options });
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${fake.url}/emails`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  try {
    await test(fake, post);
  } finally {
    await fake.close();
  }
}

function assertError(answer: Answer, status: number, name: string) {
  assert.equal(answer.status, status);
  assert.equal(answer.body.statusCode, status);
  assert.equal(answer.body.name, name);
  assert.equal(typeof answer.body.message, "string");
}

Deno.test("a valid email is answered with an id and recorded as delivered, headers and body", async () => {
  await withFake(async (fake, post) => {
    const answer = await post(EMAIL, { "idempotency-key": "book-ready/1" });
    assert.equal(answer.status, 200);
    assert.equal(typeof answer.body.id, "string");
    assert.equal(fake.delivered.length, 1);
    assert.deepEqual(fake.delivered[0], {
      id: answer.body.id,
      idempotencyKey: "book-ready/1",
      from: EMAIL.from,
      to: [EMAIL.to],
      subject: EMAIL.subject,
      html: EMAIL.html,
      text: EMAIL.text,
      payload: EMAIL,
    });
    assert.equal(fake.requests[0].headers["idempotency-key"], "book-ready/1");
    assert.deepEqual(fake.requests[0].body, EMAIL);
    assert.equal(fake.requests[0].status, 200);
  });
});

Deno.test("every answer carries Resend's rate-limit headers", async () => {
  await withFake(async (_fake, post) => {
    const answer = await post(EMAIL);
    assert.equal(answer.headers.get("ratelimit-limit"), "2");
    assert.equal(answer.headers.get("ratelimit-remaining"), "1");
    assert.equal(answer.headers.get("ratelimit-reset"), "1");
  });
});

Deno.test("no bearer key is 401 missing_api_key, and another key 403 invalid_api_key", async () => {
  await withFake(async (fake, post) => {
    assertError(await post(EMAIL, { authorization: "" }), 401, "missing_api_key");
    assertError(await post(EMAIL, { authorization: `Basic ${API_KEY}` }), 401, "missing_api_key");
    assertError(await post(EMAIL, { authorization: "Bearer re_other" }), 403, "invalid_api_key");
    assert.equal(fake.delivered.length, 0);
  });
});

Deno.test("a missing from, to, subject or content is 422 missing_required_field", async () => {
  await withFake(async (fake, post) => {
    for (const field of ["from", "to", "subject"]) {
      const answer = await post({ ...EMAIL, [field]: undefined });
      assertError(answer, 422, "missing_required_field");
      assert.match(String(answer.body.message), new RegExp(field));
    }
    assertError(await post({ ...EMAIL, html: undefined, text: undefined }), 422, "missing_required_field");
    assert.equal(fake.delivered.length, 0);
  });
});

Deno.test("a text-only or html-only email is accepted", async () => {
  await withFake(async (fake, post) => {
    assert.equal((await post({ ...EMAIL, html: undefined })).status, 200);
    assert.equal((await post({ ...EMAIL, text: undefined })).status, 200);
    assert.equal(fake.delivered.length, 2);
  });
});

Deno.test("malformed fields are 422 validation_error, and an unreadable body 400", async () => {
  await withFake(async (fake, post) => {
    assertError(await post({ ...EMAIL, to: "not-an-address" }), 422, "validation_error");
    assertError(await post({ ...EMAIL, from: "nobody" }), 422, "validation_error");
    assertError(await post({ ...EMAIL, to: [] }), 422, "validation_error");
    assertError(await post({ ...EMAIL, subject: 7 }), 422, "validation_error");
    const many = Array.from({ length: 51 }, (_, index) => `p${index}@example.com`);
    assertError(await post({ ...EMAIL, to: many }), 422, "validation_error");
    assertError(await post("{not json"), 400, "validation_error");
    assertError(await post([EMAIL]), 400, "validation_error");
    assert.equal(fake.delivered.length, 0);
  });
});

Deno.test("named addresses and up to 50 recipients are accepted", async () => {
  await withFake(async (fake, post) => {
    const many = Array.from({ length: 50 }, (_, index) => `Parent ${index} <p${index}@example.com>`);
    assert.equal((await post({ ...EMAIL, to: many })).status, 200);
    assert.equal(fake.delivered[0].to.length, 50);
  });
});

Deno.test("an attachment with neither content nor path is 422 invalid_attachment", async () => {
  await withFake(async (_fake, post) => {
    assertError(await post({ ...EMAIL, attachments: [{ filename: "book.pdf" }] }), 422, "invalid_attachment");
  });
});

Deno.test("an idempotency key longer than 256 characters is 400 invalid_idempotency_key", async () => {
  await withFake(async (fake, post) => {
    assertError(await post(EMAIL, { "idempotency-key": "k".repeat(257) }), 400, "invalid_idempotency_key");
    assert.equal((await post(EMAIL, { "idempotency-key": "k".repeat(256) })).status, 200);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("the same key and payload within 24 h answers the same id and sends once", async () => {
  await withFake(async (fake, post) => {
    const first = await post(EMAIL, { "idempotency-key": "book-ready/1" });
    // The same content with its keys in another order is the same payload.
    const reordered = Object.fromEntries(Object.entries(EMAIL).reverse());
    const second = await post(reordered, { "idempotency-key": "book-ready/1" });
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("the same key with a different payload is 409 invalid_idempotent_request", async () => {
  await withFake(async (fake, post) => {
    await post(EMAIL, { "idempotency-key": "book-ready/1" });
    const answer = await post({ ...EMAIL, subject: "Other" }, { "idempotency-key": "book-ready/1" });
    assertError(answer, 409, "invalid_idempotent_request");
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("without a key, every request sends", async () => {
  await withFake(async (fake, post) => {
    await post(EMAIL);
    await post(EMAIL);
    assert.equal(fake.delivered.length, 2);
    assert.notEqual(fake.delivered[0].id, fake.delivered[1].id);
  });
});

Deno.test("a key is free again after 24 h", async () => {
  let now = Date.parse("2026-11-22T10:00:00Z");
  await withFake(async (fake, post) => {
    const first = await post(EMAIL, { "idempotency-key": "book-ready/1" });
    now += 24 * 60 * 60 * 1000 - 1;
    assert.equal((await post(EMAIL, { "idempotency-key": "book-ready/1" })).body.id, first.body.id);
    now += 1;
    const later = await post({ ...EMAIL, subject: "Other" }, { "idempotency-key": "book-ready/1" });
    assert.equal(later.status, 200);
    assert.notEqual(later.body.id, first.body.id);
    assert.equal(fake.delivered.length, 2);
  }, { now: () => now });
});

Deno.test("a request with a key still in progress is 409 concurrent_idempotent_requests", async () => {
  await withFake(async (fake, post) => {
    const held = fake.hold();
    const first = post(EMAIL, { "idempotency-key": "book-ready/1" });
    await held.arrived;
    assert.equal(fake.requests[0].status, null);
    assertError(
      await post(EMAIL, { "idempotency-key": "book-ready/1" }),
      409,
      "concurrent_idempotent_requests",
    );
    assert.equal((await post(EMAIL, { "idempotency-key": "book-ready/2" })).status, 200);

    await held.release();
    assert.equal((await first).status, 200);
    assert.equal(fake.delivered.length, 2);
  });
});

Deno.test("a refused request leaves its key free", async () => {
  await withFake(async (fake, post) => {
    fake.plan({ kind: "server_error" });
    assertError(await post(EMAIL, { "idempotency-key": "book-ready/1" }), 500, "application_error");
    assertError(
      await post({ ...EMAIL, to: "nope" }, { "idempotency-key": "book-ready/1" }),
      422,
      "validation_error",
    );
    assert.equal(
      (await post({ ...EMAIL, subject: "Other" }, { "idempotency-key": "book-ready/1" })).status,
      200,
    );
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a planned rate limit answers 429 with retry-after and no remaining requests, once", async () => {
  await withFake(async (fake, post) => {
    fake.plan({ kind: "rate_limited", retryAfterSeconds: 5 });
    const limited = await post(EMAIL);
    assertError(limited, 429, "rate_limit_exceeded");
    assert.equal(limited.headers.get("retry-after"), "5");
    assert.equal(limited.headers.get("ratelimit-remaining"), "0");
    assert.equal((await post(EMAIL)).status, 200);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a planned quota refusal names the quota", async () => {
  await withFake(async (fake, post) => {
    fake.plan({ kind: "rate_limited", retryAfterSeconds: 60, error: "monthly_quota_exceeded" });
    assertError(await post(EMAIL), 429, "monthly_quota_exceeded");
  });
});

Deno.test("planned server errors answer their status, in the order planned", async () => {
  await withFake(async (fake, post) => {
    fake.plan({ kind: "server_error", status: 503 });
    fake.plan({ kind: "server_error" });
    assertError(await post(EMAIL), 503, "internal_server_error");
    assertError(await post(EMAIL), 500, "application_error");
    assert.equal((await post(EMAIL)).status, 200);
  });
});

Deno.test("a planned delay still answers and delivers once", async () => {
  await withFake(async (fake, post) => {
    fake.plan({ kind: "delay", ms: 20 });
    assert.equal((await post(EMAIL, { "idempotency-key": "book-ready/1" })).status, 200);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a planned fault waits for a request that gets past authentication", async () => {
  await withFake(async (fake, post) => {
    fake.plan({ kind: "server_error" });
    assertError(await post(EMAIL, { authorization: "Bearer re_other" }), 403, "invalid_api_key");
    assertError(await post(EMAIL), 500, "application_error");
  });
});

Deno.test("a held request refused before its key is taken does not leave the test waiting", async () => {
  await withFake(async (fake, post) => {
    const held = fake.hold();
    assertError(await post({ ...EMAIL, to: "nope" }), 422, "validation_error");
    await held.arrived;
    await held.release();
    assert.equal((await post(EMAIL)).status, 200);
  });
});

Deno.test("other paths are 404 not_found and other methods on /emails 405", async () => {
  await withFake(async (fake) => {
    const headers = { authorization: `Bearer ${API_KEY}` };
    const missing = await fetch(`${fake.url}/domains`, { headers });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).name, "not_found");
    const wrongMethod = await fetch(`${fake.url}/emails`, { method: "PUT", headers, body: "{}" });
    assert.equal(wrongMethod.status, 405);
    assert.equal((await wrongMethod.json()).name, "method_not_allowed");
    assert.deepEqual(fake.requests.map((request) => request.status), [404, 405]);
  });
});

Deno.test("closing the fake lets a request still held finish", async () => {
  const fake = await startFakeResend({ apiKey: API_KEY });
  const held = fake.hold();
  const pending = fetch(`${fake.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(EMAIL),
  });
  await held.arrived;
  await fake.close();
  const response = await pending;
  assert.equal(response.status, 200);
  await response.body?.cancel();
});
