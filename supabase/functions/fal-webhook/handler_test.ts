import assert from "node:assert/strict";
import { WebhookSignatureError, type WebhookSignatureFailure } from "../_shared/fal/webhook_signature.ts";
import { ImageProviderError } from "../_shared/images/image_provider.ts";
import type { FinishOutcome, ProviderAnswer } from "../_shared/provider_call_finisher.ts";
import { createFalWebhookHandler, falWebhookSchema } from "./handler.ts";

const REQUEST_ID = "764cabcf-b745-4b3e-ae38-1200304cf45b";
const URL_ = "https://project.supabase.co/functions/v1/fal-webhook";
const OUTPUT = {
  images: [{ url: "https://v3.fal.media/files/page.jpeg", width: 1024, height: 1024 }],
  description: "",
};

interface Setup {
  /** What the verifier does: resolve with this request id (and user id), or reject with this reason. */
  verified?: { requestId: string; userId?: string } | { refuse: WebhookSignatureFailure };
  outcome?: FinishOutcome;
  expectedUserId?: string;
}

function setup(options: Setup = {}) {
  const verified = options.verified ?? { requestId: REQUEST_ID };
  const verifications: Uint8Array[] = [];
  const finished: { requestId: string; answer: ProviderAnswer }[] = [];
  const logs: string[] = [];
  const handler = createFalWebhookHandler({
    verifier: {
      verify(_headers, rawBody) {
        verifications.push(rawBody);
        if ("refuse" in verified) {
          return Promise.reject(new WebhookSignatureError(verified.refuse, `refused: ${verified.refuse}`));
        }
        return Promise.resolve({ userId: "fal-user-1", ...verified });
      },
    },
    expectedUserId: options.expectedUserId,
    finisher: {
      finish(requestId, answer) {
        finished.push({ requestId, answer });
        return Promise.resolve(options.outcome ?? "completed");
      },
    },
    log: (line) => logs.push(line),
  });
  return { handler, verifications, finished, logs };
}

function post(body: unknown): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = await response.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message"]);
  return body.error;
}

Deno.test("a GET is refused with 405 and an Allow header, before any verification", async () => {
  const { handler, verifications } = setup();
  const response = await handler(new Request(URL_));
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "POST");
  assert.equal((await errorOf(response)).code, "method_not_allowed");
  assert.equal(verifications.length, 0);
});

Deno.test("a body declared over 1 MB is refused with 413 without being verified", async () => {
  const { handler, verifications, finished } = setup();
  const response = await handler(
    new Request(URL_, {
      method: "POST",
      headers: { "content-length": String(1024 * 1024 + 1) },
      body: new Uint8Array(1024 * 1024 + 1),
    }),
  );
  assert.equal(response.status, 413);
  assert.equal((await errorOf(response)).code, "payload_too_large");
  assert.equal(verifications.length, 0);
  assert.equal(finished.length, 0);
});

Deno.test("a streamed body that grows past 1 MB is refused with 413", async () => {
  const { handler, verifications } = setup();
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 5) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const response = await handler(new Request(URL_, { method: "POST", body }));
  assert.equal(response.status, 413);
  assert.equal((await errorOf(response)).code, "payload_too_large");
  assert.equal(verifications.length, 0);
});

Deno.test("a body of exactly 1 MB is read and verified", async () => {
  const { handler, verifications } = setup();
  const response = await handler(new Request(URL_, { method: "POST", body: new Uint8Array(1024 * 1024) }));
  // Verified, then refused as not a fal body: the size alone did not stop it.
  assert.equal(response.status, 400);
  assert.equal(verifications.length, 1);
  assert.equal(verifications[0].byteLength, 1024 * 1024);
});

for (const reason of ["missing_headers", "stale_timestamp", "bad_signature"] as const) {
  Deno.test(`a webhook refused by the verifier for ${reason} is answered 401 and not finished`, async () => {
    const { handler, finished, logs } = setup({ verified: { refuse: reason } });
    const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
    assert.equal(response.status, 401);
    assert.equal((await errorOf(response)).code, "invalid_signature");
    assert.equal(finished.length, 0);
    assert.ok(
      logs.some((line) => JSON.parse(line).reason === reason),
      "the refusal is logged with its reason",
    );
  });
}

Deno.test("a webhook unverifiable while fal's keys are unreachable is answered 503", async () => {
  const { handler, finished } = setup({ verified: { refuse: "keys_unavailable" } });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "30");
  assert.equal((await errorOf(response)).code, "keys_unavailable");
  assert.equal(finished.length, 0);
});

Deno.test("the verifier is handed the raw bytes of the body, unparsed", async () => {
  const { handler, verifications } = setup();
  // Key order and spacing matter to the signature's body hash: the bytes must reach the verifier as sent.
  const raw = `{"status":"OK",  "request_id":"${REQUEST_ID}","payload":{"images":[]}}`;
  await handler(post(raw));
  assert.equal(new TextDecoder().decode(verifications[0]), raw);
});

Deno.test("a verified body that is not a fal webhook is refused with 400", async () => {
  for (
    const body of [
      "not json",
      { request_id: REQUEST_ID, status: "IN_PROGRESS", payload: null },
      { status: "OK", payload: OUTPUT },
      { request_id: "", status: "OK", payload: OUTPUT },
    ]
  ) {
    const { handler, finished } = setup();
    const response = await handler(post(body));
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal((await errorOf(response)).code, "invalid_request");
    assert.equal(finished.length, 0);
  }
});

Deno.test("a body naming another request than the signed one is refused with 401", async () => {
  const { handler, finished } = setup({ verified: { requestId: "signed-request" } });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 401);
  assert.equal((await errorOf(response)).code, "invalid_signature");
  assert.equal(finished.length, 0);
});

Deno.test("an OK webhook hands its payload to the finisher as the output", async () => {
  const { handler, finished } = setup();
  const response = await handler(
    post({ request_id: REQUEST_ID, gateway_request_id: REQUEST_ID, status: "OK", payload: OUTPUT }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { outcome: "completed" });
  assert.deepEqual(finished, [{ requestId: REQUEST_ID, answer: { ok: true, output: OUTPUT } }]);
});

Deno.test("an ERROR webhook for a content policy violation is finished as content_refused", async () => {
  const { handler, finished } = setup({ outcome: "retrying" });
  const response = await handler(post({
    request_id: REQUEST_ID,
    status: "ERROR",
    error: "Invalid status code: 422",
    payload: {
      detail: [{
        loc: ["body", "prompt"],
        msg: "The content could not be processed because it contained material flagged by a content checker.",
        type: "content_policy_violation",
        input: "a prompt fal echoes back",
      }],
    },
  }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { outcome: "retrying" });
  assert.equal(finished.length, 1);
  const { answer } = finished[0];
  assert.equal(answer.ok, false);
  assert.ok(!answer.ok && answer.error instanceof ImageProviderError);
  assert.equal(answer.error.code, "content_refused");
  assert.equal(answer.error.retryable, false);
  assert.ok(!answer.error.message.includes("echoes"), "fal's echo of the input is not kept");
});

Deno.test("an ERROR webhook for a server error is finished as a retryable provider error", async () => {
  const { handler, finished } = setup({ outcome: "retrying" });
  await handler(
    post({ request_id: REQUEST_ID, status: "ERROR", error: "Invalid status code: 500", payload: null }),
  );
  const { answer } = finished[0];
  assert.ok(!answer.ok);
  assert.equal(answer.error.code, "provider_error");
  assert.equal(answer.error.retryable, true);
});

Deno.test("an OK webhook whose payload fal could not serialize is finished as an error", async () => {
  const { handler, finished } = setup({ outcome: "retrying" });
  await handler(
    post({
      request_id: REQUEST_ID,
      status: "OK",
      payload: null,
      payload_error: "Response payload too large",
    }),
  );
  const { answer } = finished[0];
  assert.ok(!answer.ok);
  assert.equal(answer.error.code, "provider_error");
  assert.equal(answer.error.retryable, true);
});

Deno.test("a webhook for a request not recorded yet is answered 409, so fal delivers it again", async () => {
  const { handler, finished } = setup({ outcome: "unknown" });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 409);
  assert.equal((await errorOf(response)).code, "unknown_request");
  assert.equal(finished.length, 1);
});

for (const outcome of ["busy", "duplicate", "stale", "flagged"] as const) {
  Deno.test(`a webhook the finisher answers "${outcome}" is acknowledged with 200`, async () => {
    const { handler } = setup({ outcome });
    const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { outcome });
  });
}

Deno.test("a finisher failure is answered 500 without its details, so fal delivers it again", async () => {
  const logs: string[] = [];
  const handler = createFalWebhookHandler({
    verifier: { verify: () => Promise.resolve({ requestId: REQUEST_ID, userId: "fal-user-1" }) },
    finisher: { finish: () => Promise.reject(new Error("connection to 10.0.0.5 refused")) },
    log: (line) => logs.push(line),
  });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 500);
  const error = await errorOf(response);
  assert.equal(error.code, "internal_error");
  assert.ok(!error.message.includes("10.0.0.5"));
  assert.ok(logs.some((line) => line.includes("10.0.0.5")), "the details go to the log");
});

Deno.test("falWebhookSchema accepts fal's documented OK and ERROR bodies", () => {
  assert.equal(falWebhookSchema.safeParse({ request_id: "r", status: "OK", payload: OUTPUT }).success, true);
  assert.equal(
    falWebhookSchema.safeParse({
      request_id: "r",
      gateway_request_id: null,
      status: "ERROR",
      error: "Invalid status code: 422",
      payload: { detail: [] },
    }).success,
    true,
  );
  assert.equal(
    falWebhookSchema.safeParse({ request_id: "r", status: "DONE", payload: OUTPUT }).success,
    false,
  );
});

Deno.test("with our fal account pinned, a webhook signed for another account is refused with 401", async () => {
  const { handler, finished } = setup({
    expectedUserId: "fal-user-1",
    verified: { requestId: REQUEST_ID, userId: "other" },
  });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 401);
  assert.equal((await errorOf(response)).code, "invalid_signature");
  assert.deepEqual(finished, []);
});

Deno.test("with our fal account pinned, our own webhooks are accepted", async () => {
  const { handler, finished } = setup({ expectedUserId: "fal-user-1" });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 200);
  assert.equal(finished.length, 1);
});

Deno.test("without fal configured the webhook answers 503 fal_not_configured and verifies nothing", async () => {
  const verifications: Uint8Array[] = [];
  const handler = createFalWebhookHandler({
    verifier: {
      verify(_headers, rawBody) {
        verifications.push(rawBody);
        return Promise.resolve({ requestId: REQUEST_ID, userId: "fal-user-1" });
      },
    },
    finisher: null,
    log: () => {},
  });
  const response = await handler(post({ request_id: REQUEST_ID, status: "OK", payload: OUTPUT }));
  assert.equal(response.status, 503);
  assert.equal((await errorOf(response)).code, "fal_not_configured");
  assert.equal(verifications.length, 0);
});
