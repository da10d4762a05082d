import assert from "node:assert/strict";
import { ApiError } from "@fal-ai/client";
import { ImageProviderError } from "../images/image_provider.ts";
import type { FalCall } from "./fal_models.ts";
import {
  createFalQueue,
  type FalQueueConfig,
  mapFalError,
  parseRetryAfter,
  webhookError,
} from "./fal_queue.ts";

interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A fetch that records each request and answers from `respond`; it honours an aborted signal like fetch. */
function stubFetch(respond: (request: SentRequest) => Response | Promise<Response>) {
  const sent: SentRequest[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    if (init?.signal?.aborted) return Promise.reject(init.signal.reason);
    const request = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : null,
    };
    sent.push(request);
    return Promise.resolve(respond(request));
  };
  return { fetch, sent };
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const PROMPT = "A child floats past the moon.";
const CALL: FalCall = {
  endpointId: "fal-ai/nano-banana-2/edit",
  input: { prompt: PROMPT, image_urls: ["https://x.supabase.co/photo.jpg?token=photo"], seed: 7 },
};
const WEBHOOK = "https://x.supabase.co/functions/v1/fal-webhook?token=webhook-secret";
// fal answers with URLs on the app alias, without the endpoint's sub-path: they must be used as given.
const QUEUED = {
  status: "IN_QUEUE",
  request_id: "req-1",
  status_url: "https://queue.fal.run/fal-ai/nano-banana-2/requests/req-1/status",
  response_url: "https://queue.fal.run/fal-ai/nano-banana-2/requests/req-1",
  cancel_url: "https://queue.fal.run/fal-ai/nano-banana-2/requests/req-1/cancel",
  queue_position: 0,
};

function queueWith(fetch: typeof globalThis.fetch, overrides: Partial<FalQueueConfig> = {}) {
  return createFalQueue({ credentials: "key-id:key-secret", fetch, outputLifetime: "1h", ...overrides });
}

async function rejection(promise: Promise<unknown>): Promise<ImageProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ImageProviderError, `expected an ImageProviderError, got ${error}`);
    return error;
  }
  assert.fail("expected a rejection");
}

Deno.test("submit posts the input to the endpoint's queue with our webhook, key and output lifetime", async () => {
  const { fetch, sent } = stubFetch(() => json(QUEUED));
  const submitted = await queueWith(fetch).submit(CALL, { webhookUrl: WEBHOOK });
  assert.deepEqual(submitted, {
    requestId: "req-1",
    statusUrl: QUEUED.status_url,
    responseUrl: QUEUED.response_url,
    cancelUrl: QUEUED.cancel_url,
  });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].method, "POST");
  assert.equal(
    sent[0].url,
    `https://queue.fal.run/fal-ai/nano-banana-2/edit?fal_webhook=${encodeURIComponent(WEBHOOK)}`,
  );
  assert.equal(sent[0].headers.get("authorization"), "Key key-id:key-secret");
  assert.equal(
    sent[0].headers.get("x-fal-object-lifecycle-preference"),
    '{"expiration_duration_seconds":3600}',
  );
  assert.deepEqual(JSON.parse(sent[0].body ?? ""), CALL.input);
});

Deno.test("outputs are kept for a day when the lifetime is 1d", async () => {
  const { fetch, sent } = stubFetch(() => json(QUEUED));
  await queueWith(fetch, { outputLifetime: "1d" }).submit(CALL, { webhookUrl: WEBHOOK });
  assert.equal(
    sent[0].headers.get("x-fal-object-lifecycle-preference"),
    '{"expiration_duration_seconds":86400}',
  );
});

Deno.test("a submit answer without the request URLs is a provider error", async () => {
  const { fetch } = stubFetch(() => json({ request_id: "req-1" }));
  const error = await rejection(queueWith(fetch).submit(CALL, { webhookUrl: WEBHOOK }));
  assert.equal(error.code, "provider_error");
});

Deno.test("status reads the returned status URL without logs and maps fal's three states", async () => {
  const answers = [
    { status: "IN_QUEUE", queue_position: 2 },
    { status: "IN_PROGRESS", logs: [] },
    { status: "COMPLETED", logs: [], metrics: { inference_time: 4.2519 } },
    { status: "COMPLETED", logs: [] },
  ];
  const { fetch, sent } = stubFetch(() => json(answers.shift()));
  const queue = queueWith(fetch);
  assert.deepEqual(await queue.status(QUEUED.status_url), { state: "queued" });
  assert.deepEqual(await queue.status(QUEUED.status_url), { state: "running" });
  assert.deepEqual(await queue.status(QUEUED.status_url), { state: "completed", inferenceMs: 4252 });
  assert.deepEqual(await queue.status(QUEUED.status_url), { state: "completed", inferenceMs: null });
  for (const request of sent) {
    assert.equal(request.method, "GET");
    assert.equal(request.url, `${QUEUED.status_url}?logs=0`);
    assert.equal(request.headers.get("authorization"), "Key key-id:key-secret");
  }
});

Deno.test("status keeps a query the returned URL already has", async () => {
  const { fetch, sent } = stubFetch(() => json({ status: "IN_QUEUE" }));
  await queueWith(fetch).status(`${QUEUED.status_url}?logs=1`);
  assert.equal(sent[0].url, `${QUEUED.status_url}?logs=1`);
});

Deno.test("result reads exactly the returned response URL and gives back the output", async () => {
  const output = { images: [{ url: "https://v3.fal.media/files/page.jpeg", width: 1024, height: 1024 }] };
  const { fetch, sent } = stubFetch(() => json(output));
  assert.deepEqual(await queueWith(fetch).result(QUEUED.response_url), output);
  assert.equal(sent[0].method, "GET");
  assert.equal(sent[0].url, QUEUED.response_url);
  assert.equal(sent[0].headers.get("authorization"), "Key key-id:key-secret");
});

Deno.test("cancel puts to exactly the returned cancel URL", async () => {
  const { fetch, sent } = stubFetch(() => json({ status: "CANCELLATION_REQUESTED" }, 202));
  await queueWith(fetch).cancel(QUEUED.cancel_url);
  assert.equal(sent[0].method, "PUT");
  assert.equal(sent[0].url, QUEUED.cancel_url);
});

Deno.test("cancelling a request that already completed is not an error", async () => {
  const { fetch } = stubFetch(() => json({ status: "ALREADY_COMPLETED" }, 400));
  await queueWith(fetch).cancel(QUEUED.cancel_url);
});

Deno.test("cancelling an unknown request is an error", async () => {
  const { fetch } = stubFetch(() => json({ status: "NOT_FOUND" }, 404));
  const error = await rejection(queueWith(fetch).cancel(QUEUED.cancel_url));
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, false);
});

Deno.test("with a proxy, every request goes to the proxy and names the fal URL it is for", async () => {
  const { fetch, sent } = stubFetch((request) =>
    request.method === "POST" ? json(QUEUED) : json({ status: "IN_PROGRESS" })
  );
  const queue = queueWith(fetch, { proxyUrl: "https://x.supabase.co/functions/v1/fal-proxy" });
  await queue.submit(CALL, { webhookUrl: WEBHOOK });
  await queue.status(QUEUED.status_url);
  await queue.result(QUEUED.response_url);
  await queue.cancel(QUEUED.cancel_url);
  assert.deepEqual(
    sent.map((request) => request.url),
    Array(4).fill("https://x.supabase.co/functions/v1/fal-proxy"),
  );
  assert.deepEqual(sent.map((request) => request.headers.get("x-fal-target-url")), [
    `https://queue.fal.run/fal-ai/nano-banana-2/edit?fal_webhook=${encodeURIComponent(WEBHOOK)}`,
    `${QUEUED.status_url}?logs=0`,
    QUEUED.response_url,
    QUEUED.cancel_url,
  ]);
});

Deno.test("URLs off fal's hosts are refused without sending our key anywhere", async () => {
  const { fetch, sent } = stubFetch(() => json({ status: "COMPLETED" }));
  const queue = queueWith(fetch);
  for (
    const url of [
      "https://evil.example/fal-ai/nano-banana-2/requests/req-1/status",
      "https://notfal.run/fal-ai/nano-banana-2/requests/req-1/status",
      "http://queue.fal.run/fal-ai/nano-banana-2/requests/req-1/status",
      "not a url",
    ]
  ) {
    const error = await rejection(queue.status(url));
    assert.equal(error.code, "provider_error");
    assert.equal(error.retryable, false);
  }
  assert.equal(sent.length, 0);
});

Deno.test("a 429 is rate_limited with fal's Retry-After seconds, and is not retried by the client", async () => {
  const { fetch, sent } = stubFetch(() => json({ detail: "Too many requests" }, 429, { "retry-after": "7" }));
  const error = await rejection(queueWith(fetch).submit(CALL, { webhookUrl: WEBHOOK }));
  assert.equal(error.code, "rate_limited");
  assert.equal(error.retryable, true);
  assert.equal(error.retryAfterMs, 7000);
  assert.equal(sent.length, 1);
});

Deno.test("a 429 Retry-After date is read against the injected clock", async () => {
  const now = Date.parse("2026-11-22T10:00:00Z");
  const { fetch } = stubFetch(() => json({}, 429, { "retry-after": "Sun, 22 Nov 2026 10:00:30 GMT" }));
  const error = await rejection(queueWith(fetch, { now: () => now }).status(QUEUED.status_url));
  assert.equal(error.retryAfterMs, 30_000);
});

Deno.test("a 429 without Retry-After leaves the retry time to the caller", async () => {
  const { fetch } = stubFetch(() => json({}, 429));
  const error = await rejection(queueWith(fetch).result(QUEUED.response_url));
  assert.equal(error.code, "rate_limited");
  assert.equal(error.retryAfterMs, undefined);
});

Deno.test("Retry-After reads seconds and dates, and ignores what it cannot read", () => {
  const now = Date.parse("2026-11-22T10:00:00Z");
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter(" 12 ", now), 12_000);
  assert.equal(parseRetryAfter("Sun, 22 Nov 2026 10:01:00 GMT", now), 60_000);
  assert.equal(parseRetryAfter("Sun, 22 Nov 2026 09:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
});

Deno.test("a 5xx from fal is a retryable provider error", async () => {
  const { fetch } = stubFetch(() => json({ detail: "internal" }, 500));
  const error = await rejection(queueWith(fetch).status(QUEUED.status_url));
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, true);
});

Deno.test("a failed request's content-policy 422 is a final content refusal that does not echo the prompt", async () => {
  const body = {
    detail: [{
      loc: ["body", "prompt"],
      msg: "The content was flagged by a content checker.",
      type: "content_policy_violation",
      url: "https://docs.fal.ai/errors#content_policy_violation",
      input: PROMPT,
    }],
  };
  const { fetch } = stubFetch(() => json(body, 422));
  const error = await rejection(queueWith(fetch).result(QUEUED.response_url));
  assert.equal(error.code, "content_refused");
  assert.equal(error.retryable, false);
  assert.ok(!error.message.includes(PROMPT), error.message);
  assert.ok(!error.message.includes("http"), error.message);
});

Deno.test("any other 4xx is a provider error that retrying will not fix", async () => {
  const { fetch } = stubFetch(() =>
    json({ detail: [{ loc: ["body", "image_urls"], msg: "Field required", type: "missing" }] }, 422)
  );
  const error = await rejection(queueWith(fetch).submit(CALL, { webhookUrl: WEBHOOK }));
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, false);
  assert.match(error.message, /422 \(missing\)/);
});

Deno.test("a network failure is retryable and its message leaks neither URL nor token", async () => {
  const { fetch } = stubFetch((request) => {
    throw new TypeError(`error sending request for url (${request.url})`);
  });
  const error = await rejection(queueWith(fetch).submit(CALL, { webhookUrl: WEBHOOK }));
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, true);
  assert.ok(!error.message.includes("webhook-secret"), error.message);
  assert.ok(!error.message.includes("http"), error.message);
  assert.equal(error.cause, undefined);
});

Deno.test("a timed-out signal rejects with timeout and a caller's abort with aborted", async () => {
  const { fetch, sent } = stubFetch(() => json(QUEUED));
  const queue = queueWith(fetch);
  const timedOut = AbortSignal.abort(new DOMException("timed out", "TimeoutError"));
  const timeout = await rejection(queue.submit(CALL, { webhookUrl: WEBHOOK, signal: timedOut }));
  assert.equal(timeout.code, "timeout");
  assert.equal(timeout.retryable, true);
  const aborted = await rejection(queue.status(QUEUED.status_url, AbortSignal.abort()));
  assert.equal(aborted.code, "aborted");
  assert.equal(sent.length, 0);
});

Deno.test("mapFalError keeps our own errors and reads fal's API errors", () => {
  const own = new ImageProviderError("rate_limited", "slow down", { retryable: true, retryAfterMs: 5 });
  assert.equal(mapFalError(own), own);
  const unavailable = mapFalError(new ApiError({ message: "Service Unavailable", status: 503, body: {} }));
  assert.equal(unavailable.code, "provider_error");
  assert.equal(unavailable.retryable, true);
  const refused = mapFalError(
    new ApiError({ message: "", status: 422, body: { detail: [{ type: "content_policy_violation" }] } }),
  );
  assert.equal(refused.code, "content_refused");
  const unauthorised = mapFalError(new ApiError({ message: "Unauthorized", status: 401, body: undefined }));
  assert.equal(unauthorised.code, "provider_error");
  assert.equal(unauthorised.retryable, false);
  assert.equal(mapFalError(new DOMException("late", "TimeoutError")).code, "timeout");
});

Deno.test("an ERROR webhook with a content-policy detail is a final content refusal", () => {
  const error = webhookError({
    error: "Invalid status code: 422",
    payload: {
      detail: [{ loc: ["body", "image_urls", 0], msg: "flagged", type: "content_policy_violation" }],
    },
  });
  assert.equal(error.code, "content_refused");
  assert.equal(error.retryable, false);
});

Deno.test("an ERROR webhook is retryable for a server failure and final for a rejected input", () => {
  const server = webhookError({ error: "Invalid status code: 500", payload: { detail: "Internal error" } });
  assert.deepEqual([server.code, server.retryable], ["provider_error", true]);
  const rejected = webhookError({
    error: "Invalid status code: 422",
    payload: { detail: [{ loc: ["body", "seed"], msg: "bad", type: "int_parsing" }] },
  });
  assert.deepEqual([rejected.code, rejected.retryable], ["provider_error", false]);
  const unknown = webhookError({ error: "something broke" });
  assert.deepEqual([unknown.code, unknown.retryable], ["provider_error", true]);
  const unserializable = webhookError({ payload: null, payload_error: "Response too large" });
  assert.deepEqual([unserializable.code, unserializable.retryable], ["provider_error", true]);
});
