/** The Resend sender, through the real `resend` SDK, against the fake Resend server. */
import assert from "node:assert/strict";
import {
  type FakeResend,
  startFakeResend,
} from "../../../../tests/support/fake_resend/fake_resend_server.ts";
import {
  createOutboxSender,
  createResendSender,
  type EmailMessage,
  type EmailSender,
  EmailSendError,
  mapResendError,
} from "./email_sender.ts";

const API_KEY = "re_test_key";
const FROM = "Talecraft <books@talecraft.example>";
const KEY = "book-ready/gid://shopify/Order/820982911946154508";

const MESSAGE: EmailMessage = {
  to: "parent@example.com",
  subject: "Your book is ready",
  html: "<p>Your book is ready.</p>",
  text: "Your book is ready.",
};

async function withFake(test: (fake: FakeResend, sender: EmailSender) => Promise<void>) {
  const fake = await startFakeResend({ apiKey: API_KEY });
  try {
    await test(fake, createResendSender({ apiKey: API_KEY, baseUrl: fake.url, from: FROM }));
  } finally {
    await fake.close();
  }
}

async function sendError(promise: Promise<unknown>): Promise<EmailSendError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EmailSendError, `expected an EmailSendError, got ${error}`);
    return error;
  }
  assert.fail("the send succeeded");
}

function assertNoAddress(error: EmailSendError) {
  assert.ok(!error.message.includes("@"), `the message names an address: ${error.message}`);
}

Deno.test("a sent email carries the given idempotency key, our API key and sender, and no more", async () => {
  await withFake(async (fake, sender) => {
    const result = await sender.send(MESSAGE, { idempotencyKey: KEY });

    assert.equal(fake.delivered.length, 1);
    assert.equal(result.providerMessageId, fake.delivered[0].id);
    const [request] = fake.requests;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/emails");
    assert.equal(request.headers["idempotency-key"], KEY);
    assert.equal(request.headers["authorization"], `Bearer ${API_KEY}`);
    assert.deepEqual(request.body, {
      from: FROM,
      to: MESSAGE.to,
      subject: MESSAGE.subject,
      html: MESSAGE.html,
      text: MESSAGE.text,
    });
  });
});

Deno.test("a message's own sender replaces the configured one", async () => {
  await withFake(async (fake, sender) => {
    await sender.send({ ...MESSAGE, from: "Other <other@talecraft.example>" }, { idempotencyKey: KEY });
    assert.equal(fake.delivered[0].from, "Other <other@talecraft.example>");
  });
});

Deno.test("the same key sent twice delivers one email and answers the same id", async () => {
  await withFake(async (fake, sender) => {
    const first = await sender.send(MESSAGE, { idempotencyKey: KEY });
    const second = await sender.send(MESSAGE, { idempotencyKey: KEY });
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.delivered.length, 1);
    assert.equal(second.providerMessageId, first.providerMessageId);
  });
});

Deno.test("a 429 is retryable after its retry-after; the retry with the same key sends once", async () => {
  await withFake(async (fake, sender) => {
    fake.plan({ kind: "rate_limited", retryAfterSeconds: 7 });
    const error = await sendError(sender.send(MESSAGE, { idempotencyKey: KEY }));
    assert.equal(error.code, "rate_limited");
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 7000);
    assert.equal(error.status, 429);
    assert.equal(error.providerError, "rate_limit_exceeded");
    assert.equal(fake.delivered.length, 0);

    await sender.send(MESSAGE, { idempotencyKey: KEY });
    assert.deepEqual(fake.requests.map((request) => request.headers["idempotency-key"]), [KEY, KEY]);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a daily quota refusal is retryable and says it is a quota", async () => {
  await withFake(async (fake, sender) => {
    fake.plan({ kind: "rate_limited", retryAfterSeconds: 3600, error: "daily_quota_exceeded" });
    const error = await sendError(sender.send(MESSAGE, { idempotencyKey: KEY }));
    assert.equal(error.code, "quota_exceeded");
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 3_600_000);
  });
});

Deno.test("a 500 is retryable", async () => {
  await withFake(async (fake, sender) => {
    fake.plan({ kind: "server_error" });
    const error = await sendError(sender.send(MESSAGE, { idempotencyKey: KEY }));
    assert.equal(error.code, "provider_unavailable");
    assert.equal(error.retryable, true);
    assert.equal(error.status, 500);
    assert.equal(fake.delivered.length, 0);
  });
});

Deno.test("a 409 for a key in progress is retryable, and the retry answers the original id", async () => {
  await withFake(async (fake, sender) => {
    const held = fake.hold();
    const original = sender.send(MESSAGE, { idempotencyKey: KEY });
    await held.arrived;

    const error = await sendError(sender.send(MESSAGE, { idempotencyKey: KEY }));
    assert.equal(error.code, "idempotency_in_progress");
    assert.equal(error.retryable, true);
    assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 0);
    assert.equal(error.status, 409);

    await held.release();
    const { providerMessageId } = await original;
    const retry = await sender.send(MESSAGE, { idempotencyKey: KEY });
    assert.equal(retry.providerMessageId, providerMessageId);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a 409 for a key used with another payload is an idempotency conflict, not retried", async () => {
  await withFake(async (fake, sender) => {
    await sender.send(MESSAGE, { idempotencyKey: KEY });
    const error = await sendError(sender.send({ ...MESSAGE, subject: "Changed" }, { idempotencyKey: KEY }));
    assert.equal(error.code, "idempotency_conflict");
    assert.equal(error.retryable, false);
    assert.equal(error.retryAfterMs, undefined);
    assert.equal(error.providerError, "invalid_idempotent_request");
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a wrong API key is unauthorized and not retryable", async () => {
  const fake = await startFakeResend({ apiKey: API_KEY });
  try {
    const sender = createResendSender({ apiKey: "re_wrong", baseUrl: fake.url, from: FROM });
    const error = await sendError(sender.send(MESSAGE, { idempotencyKey: KEY }));
    assert.equal(error.code, "unauthorized");
    assert.equal(error.retryable, false);
    assert.equal(error.status, 403);
  } finally {
    await fake.close();
  }
});

Deno.test("an email Resend refuses as invalid is rejected without the address in the error", async () => {
  await withFake(async (fake, sender) => {
    const error = await sendError(sender.send({ ...MESSAGE, to: "not-an-address" }, { idempotencyKey: KEY }));
    assert.equal(error.code, "rejected");
    assert.equal(error.retryable, false);
    assert.equal(error.status, 422);
    assert.equal(error.providerError, "validation_error");
    assert.ok(!error.message.includes("not-an-address"));
    assert.equal(fake.delivered.length, 0);
  });
});

Deno.test("no answer at all is a retryable network error", async () => {
  const fake = await startFakeResend({ apiKey: API_KEY });
  const url = fake.url;
  await fake.close();
  const sender = createResendSender({ apiKey: API_KEY, baseUrl: url, from: FROM });
  const error = await sendError(sender.send(MESSAGE, { idempotencyKey: KEY }));
  assert.equal(error.code, "network_error");
  assert.equal(error.retryable, true);
});

Deno.test("an aborted send rejects as aborted; a retry with the same key sends nothing more", async () => {
  await withFake(async (fake, sender) => {
    const held = fake.hold();
    const controller = new AbortController();
    const abandoned = sender.send(MESSAGE, { idempotencyKey: KEY, signal: controller.signal });
    await held.arrived;
    controller.abort();
    const error = await sendError(abandoned);
    assert.equal(error.code, "aborted");
    assert.equal(error.retryable, true);

    // Resend went on with the email the client gave up on; the retry must not send a second one.
    await held.release();
    assert.equal(fake.delivered.length, 1);
    const retry = await sender.send(MESSAGE, { idempotencyKey: KEY });
    assert.equal(retry.providerMessageId, fake.delivered[0].id);
    assert.equal(fake.delivered.length, 1);
  });
});

Deno.test("a send that times out rejects as a timeout", async () => {
  await withFake(async (fake, sender) => {
    const held = fake.hold();
    const controller = new AbortController();
    const pending = sender.send(MESSAGE, { idempotencyKey: KEY, signal: controller.signal });
    await held.arrived;
    controller.abort(new DOMException("took too long", "TimeoutError"));
    assert.equal((await sendError(pending)).code, "timeout");
    await held.release();
  });
});

Deno.test("the Resend sender refuses an empty API key instead of reading one from the environment", () => {
  assert.throws(() => createResendSender({ apiKey: "", from: FROM }), /needs an API key/);
});

Deno.test("Resend errors map to codes, retryability and waits without quoting Resend's message", () => {
  const cases: [name: string, status: number, code: string, retryable: boolean][] = [
    ["missing_api_key", 401, "unauthorized", false],
    ["restricted_api_key", 401, "unauthorized", false],
    ["validation_error", 403, "rejected", false],
    ["invalid_idempotency_key", 400, "rejected", false],
    ["monthly_quota_exceeded", 429, "quota_exceeded", true],
    ["internal_server_error", 503, "provider_unavailable", true],
    ["application_error", 400, "provider_unavailable", true],
    ["not_found", 404, "rejected", false],
  ];
  for (const [name, status, code, retryable] of cases) {
    const error = mapResendError(
      { name, statusCode: status, message: "You can only send testing emails to you@example.com" },
      null,
    );
    assert.equal(error.code, code, name);
    assert.equal(error.retryable, retryable, name);
    assertNoAddress(error);
  }
});

Deno.test("without retry-after, a rate limit waits for ratelimit-reset, else one second", () => {
  const limited = { name: "rate_limit_exceeded", statusCode: 429 };
  assert.equal(mapResendError(limited, { "ratelimit-reset": "2" }).retryAfterMs, 2000);
  assert.equal(mapResendError(limited, { "retry-after": "soon" }).retryAfterMs, 1000);
  assert.equal(mapResendError(limited, null).retryAfterMs, 1000);
});

Deno.test("the outbox stand-in sends nothing and has no provider id", async () => {
  const sender = createOutboxSender();
  assert.match(sender.name, /stand-in/);
  assert.deepEqual(await sender.send(MESSAGE, { idempotencyKey: KEY }), { providerMessageId: null });
});

Deno.test("the outbox stand-in honours an aborted signal", async () => {
  const error = await sendError(
    createOutboxSender().send(MESSAGE, { idempotencyKey: KEY, signal: AbortSignal.abort() }),
  );
  assert.equal(error.code, "aborted");
});
