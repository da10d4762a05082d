/**
 * The fake fal queue driven by the real @fal-ai/client through its documented proxy, with a small receiver
 * that serves input photos and takes webhooks. Signatures are checked here with WebCrypto against the
 * published JWKS, independently of the fake's signer.
 */
import assert from "node:assert/strict";
import { ApiError, createFalClient, ValidationError } from "@fal-ai/client";
import { sha256Hex } from "../../../scripts/sha256_hex.ts";
import { readImageHeader } from "../../../supabase/functions/_shared/images/image_header.ts";
import { encodeJpeg } from "../../../supabase/functions/_shared/images/jpeg_encoder.ts";
import { createRgbaImage } from "../../../supabase/functions/_shared/images/raster.ts";
import { type FakeFal, type FakeFalOptions, startFakeFal } from "./fake_fal_server.ts";

const CREDENTIALS = "fake-key-id:fake-key-secret";
const USER_ID = "user-under-test";
const NANO_BANANA = "fal-ai/nano-banana-2/edit";

type FalClient = ReturnType<typeof createFalClient>;

interface ReceivedWebhook {
  path: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

interface Harness {
  fake: FakeFal;
  client: FalClient;
  received: ReceivedWebhook[];
  /** A receiver that answers `status`. */
  hookUrl(status: number): string;
  photoUrl(width: number, height: number): string;
  missingPhotoUrl: string;
  /** A photo whose download is held open until `release()`: the fake is then visibly mid-run. */
  heldPhoto: { url: string; requested: Promise<void>; release(): void };
}

function clientFor(fake: FakeFal, credentials = CREDENTIALS, fetchImpl?: typeof fetch): FalClient {
  return createFalClient({ credentials, proxyUrl: { url: fake.proxyUrl, when: "always" }, fetch: fetchImpl });
}

/** Starts the fake and a receiver (photos out, webhooks in), runs the test, then closes both. */
async function withHarness(options: Partial<FakeFalOptions>, test: (harness: Harness) => Promise<void>) {
  const received: ReceivedWebhook[] = [];
  const requested = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const { pathname } = new URL(request.url);
    const hook = /^\/hook\/(\d{3})$/.exec(pathname);
    if (request.method === "POST" && hook) {
      received.push({
        path: pathname,
        headers: request.headers,
        body: new Uint8Array(await request.arrayBuffer()),
      });
      return new Response(null, { status: Number(hook[1]) });
    }
    if (pathname === "/held.jpg") {
      requested.resolve();
      await released.promise;
      return new Response(encodeJpeg(createRgbaImage(8, 8)) as BodyInit);
    }
    const photo = /^\/photo\/(\d+)x(\d+)\.jpg$/.exec(pathname);
    if (photo) {
      return new Response(encodeJpeg(createRgbaImage(Number(photo[1]), Number(photo[2]))) as BodyInit);
    }
    return new Response("not here", { status: 404 });
  });
  const origin = `http://127.0.0.1:${receiver.addr.port}`;
  const fake = await startFakeFal({ credentials: CREDENTIALS, userId: USER_ID, ...options });
  try {
    await test({
      fake,
      client: clientFor(fake),
      received,
      hookUrl: (status) => `${origin}/hook/${status}`,
      photoUrl: (width, height) => `${origin}/photo/${width}x${height}.jpg`,
      missingPhotoUrl: `${origin}/missing.jpg`,
      heldPhoto: { url: `${origin}/held.jpg`, requested: requested.promise, release: released.resolve },
    });
  } finally {
    released.resolve();
    await fake.close();
    await receiver.shutdown();
  }
}

const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));

/** Verifies a webhook the way fal documents it, trying every key of the JWKS. */
async function signatureVerifies(jwksUrl: string, headers: Headers, body: Uint8Array): Promise<boolean> {
  const { keys } = await (await fetch(jwksUrl)).json() as { keys: JsonWebKey[] };
  const signatureHex = headers.get("x-fal-webhook-signature") ?? "";
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  const message = new TextEncoder().encode(
    [
      headers.get("x-fal-webhook-request-id"),
      headers.get("x-fal-webhook-user-id"),
      headers.get("x-fal-webhook-timestamp"),
      await sha256Hex(body),
    ].join("\n"),
  );
  for (const jwk of keys) {
    const key = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]);
    if (await crypto.subtle.verify("Ed25519", key, hexToBytes(signatureHex), message)) return true;
  }
  return false;
}

/** What the promise rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "expected the promise to reject" });
}

const parse = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body));

async function imageSizeAt(url: string) {
  const response = await fetch(url);
  assert.equal(response.headers.get("content-type"), "image/jpeg");
  const { format, width, height } = readImageHeader(new Uint8Array(await response.arrayBuffer()));
  return { format, width, height };
}

function nanoBananaInput(harness: Harness) {
  return { prompt: "a child on a dragon", image_urls: [harness.photoUrl(64, 64)], resolution: "1K" as const };
}

Deno.test("a submitted request completes with a webhook signed by the key the JWKS publishes", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
      storageSettings: { expiresIn: "1d" },
    });
    const appUrl = `https://queue.fal.run/fal-ai/nano-banana-2/requests/${queued.request_id}`;
    assert.equal(queued.status, "IN_QUEUE");
    assert.equal(queued.response_url, appUrl);
    assert.equal(queued.status_url, `${appUrl}/status`);
    assert.equal(queued.cancel_url, `${appUrl}/cancel`);

    await fake.settled(queued.request_id);
    assert.equal(received.length, 1);
    const [webhook] = received;
    assert.equal(webhook.headers.get("content-type"), "application/json");
    assert.equal(webhook.headers.get("x-fal-webhook-request-id"), queued.request_id);
    assert.equal(webhook.headers.get("x-fal-webhook-user-id"), USER_ID);
    assert.ok(await signatureVerifies(fake.jwksUrl, webhook.headers, webhook.body));
    const body = parse(webhook.body);
    assert.equal(body.request_id, queued.request_id);
    assert.equal(body.gateway_request_id, queued.request_id);
    assert.equal(body.status, "OK");
    assert.equal(body.payload.description, "");
    const [image] = body.payload.images;
    assert.equal(image.content_type, "image/jpeg");
    assert.deepEqual([image.width, image.height], [1024, 1024]);
    assert.deepEqual(await imageSizeAt(image.url), { format: "jpeg", width: 1024, height: 1024 });

    const [submit] = fake.submits;
    assert.equal(submit.endpoint, NANO_BANANA);
    assert.equal(submit.webhookUrl, harness.hookUrl(200));
    assert.deepEqual(submit.input, nanoBananaInput(harness));
    assert.equal(
      submit.headers["x-fal-object-lifecycle-preference"],
      '{"expiration_duration_seconds":86400}',
    );
    assert.deepEqual(submit.imageFetches, [
      { field: "image_urls[0]", url: harness.photoUrl(64, 64), ok: true, status: 200 },
    ]);
    assert.ok(submit.queuedAt !== null && submit.finishedAt !== null && submit.finishedAt >= submit.queuedAt);
  });
});

Deno.test("status and result are served at the URLs the submit returned", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client } = harness;
    const queued = await client.queue.submit(NANO_BANANA, { input: nanoBananaInput(harness) });
    await fake.settled(queued.request_id);

    const { data: status } = await client.run(queued.status_url, { method: "get" });
    assert.equal(status.status, "COMPLETED");
    assert.deepEqual(status.logs, []);
    assert.equal(typeof status.metrics.inference_time, "number");
    assert.equal(status.response_url, queued.response_url);

    const viaClient = await client.queue.status(NANO_BANANA, { requestId: queued.request_id });
    assert.equal(viaClient.status, "COMPLETED");

    const result = await client.queue.result(NANO_BANANA, { requestId: queued.request_id });
    assert.equal(result.requestId, queued.request_id);
    assert.equal(result.data.images.length, 1);
  });
});

/** A queue GET through the proxy without the client, to see the raw status and body. */
function queueGet(fake: FakeFal, falUrl: string): Promise<Response> {
  return fetch(fake.proxyUrl, {
    headers: { authorization: `Key ${CREDENTIALS}`, "x-fal-target-url": falUrl },
  });
}

Deno.test("a queued request answers IN_QUEUE and refuses its result as still in progress", async () => {
  await withHarness({ runMs: 60_000 }, async (harness) => {
    const queued = await harness.client.queue.submit(NANO_BANANA, { input: nanoBananaInput(harness) });
    const status = await queueGet(harness.fake, queued.status_url);
    assert.equal(status.status, 200);
    const body = await status.json();
    assert.equal(body.status, "IN_QUEUE");
    assert.equal(body.queue_position, 0);
    assert.equal(body.response_url, queued.response_url);
    const result = await queueGet(harness.fake, queued.response_url);
    assert.equal(result.status, 400);
    assert.deepEqual(await result.json(), { detail: "Request is still in progress" });
  });
});

Deno.test("a request downloading its inputs answers IN_PROGRESS, then COMPLETED", async () => {
  await withHarness({ runMs: 0 }, async (harness) => {
    const { fake, client, heldPhoto } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: { prompt: "a page", image_urls: [heldPhoto.url] },
    });
    await heldPhoto.requested;
    const running = await client.queue.status(NANO_BANANA, { requestId: queued.request_id });
    assert.equal(running.status, "IN_PROGRESS");
    assert.deepEqual(running.logs, []);

    heldPhoto.release();
    await fake.settled(queued.request_id);
    const done = await client.queue.status(NANO_BANANA, { requestId: queued.request_id });
    assert.equal(done.status, "COMPLETED");
  });
});

Deno.test("a submit with the wrong credentials is refused with 401", async () => {
  await withHarness({}, async (harness) => {
    const client = clientFor(harness.fake, "someone:else");
    const error = await rejection(client.queue.submit(NANO_BANANA, { input: nanoBananaInput(harness) }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.equal(typeof error.body.detail, "string");
    assert.equal(harness.fake.submits[0].status, 401);
    assert.equal(harness.fake.submits[0].requestId, null);
  });
});

Deno.test("a planned rate limit answers 429 with Retry-After; the client's retry gets through", async () => {
  await withHarness({}, async (harness) => {
    const answers: Response[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      answers.push(response.clone());
      return response;
    };
    harness.fake.plan(NANO_BANANA, { kind: "rate_limited", retryAfterSeconds: 7 });
    const client = clientFor(harness.fake, CREDENTIALS, recordingFetch);
    const queued = await client.queue.submit(NANO_BANANA, { input: nanoBananaInput(harness) });

    assert.deepEqual(answers.map((answer) => answer.status), [429, 200]);
    assert.equal(answers[0].headers.get("retry-after"), "7");
    assert.equal(typeof (await answers[0].json()).detail, "string");
    await answers[1].body?.cancel();
    assert.deepEqual(harness.fake.submits.map((submit) => submit.status), [429, 200]);
    await harness.fake.settled(queued.request_id);
  });
});

Deno.test("a planned server error answers that status with fal's request-error body", async () => {
  await withHarness({}, async (harness) => {
    harness.fake.plan("*", { kind: "server_error", status: 500 });
    const error = await rejection(
      harness.client.queue.submit(NANO_BANANA, { input: nanoBananaInput(harness) }),
    );
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 500);
    assert.equal(error.body.error_type, "runner_server_error");
  });
});

Deno.test("a content refusal ends in an ERROR webhook carrying a content_policy_violation", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    fake.plan(NANO_BANANA, { kind: "content_refused" });
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);

    assert.equal(received.length, 1);
    assert.ok(await signatureVerifies(fake.jwksUrl, received[0].headers, received[0].body));
    const body = parse(received[0].body);
    assert.equal(body.status, "ERROR");
    assert.equal(body.error, "Invalid status code: 422");
    assert.equal(body.payload.detail[0].type, "content_policy_violation");

    const error = await rejection(client.queue.result(NANO_BANANA, { requestId: queued.request_id }));
    assert.ok(error instanceof ValidationError);
    assert.equal(error.fieldErrors[0].type, "content_policy_violation");
  });
});

Deno.test("a planned error result carries its status and detail to the webhook and the result", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    fake.plan(NANO_BANANA, { kind: "error_result", status: 500, detail: "the runner fell over" });
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);

    const body = parse(received[0].body);
    assert.equal(body.status, "ERROR");
    assert.equal(body.error, "Invalid status code: 500");
    assert.deepEqual(body.payload, { detail: "the runner fell over" });
    const error = await rejection(client.queue.result(NANO_BANANA, { requestId: queued.request_id }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 500);
  });
});

Deno.test("a dropped webhook is never sent, yet the request is COMPLETED with its result", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    fake.plan(NANO_BANANA, { kind: "drop_webhook" });
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);

    assert.deepEqual(received, []);
    assert.deepEqual(fake.deliveries, []);
    const status = await client.queue.status(NANO_BANANA, { requestId: queued.request_id });
    assert.equal(status.status, "COMPLETED");
    const result = await client.queue.result(NANO_BANANA, { requestId: queued.request_id });
    assert.equal(result.data.images[0].width, 1024);
  });
});

Deno.test("a duplicated webhook is delivered the planned number of times", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    fake.plan(NANO_BANANA, { kind: "duplicate_webhook", times: 3 });
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);

    assert.equal(received.length, 3);
    for (const webhook of received) {
      assert.equal(parse(webhook.body).request_id, queued.request_id);
      assert.ok(await signatureVerifies(fake.jwksUrl, webhook.headers, webhook.body));
    }
    assert.deepEqual(fake.deliveries.map((delivery) => delivery.status), [200, 200, 200]);
  });
});

Deno.test("a webhook the receiver refuses is retried, and every attempt is recorded", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(500),
    });
    await fake.settled(queued.request_id);

    assert.equal(received.length, 3);
    assert.deepEqual(fake.deliveries.map(({ attempt, status }) => ({ attempt, status })), [
      { attempt: 1, status: 500 },
      { attempt: 2, status: 500 },
      { attempt: 3, status: 500 },
    ]);
  });
});

Deno.test("redelivery sends the finished request's webhook again, the copies at once", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);

    assert.deepEqual(await fake.redeliver(queued.request_id, 4), [200, 200, 200, 200]);
    assert.equal(received.length, 5);
    assert.equal(new Set(received.map((webhook) => parse(webhook.body).request_id)).size, 1);
  });
});

Deno.test("a signed webhook verifies untouched, and each kind of tampering breaks or dates it", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);
    const verifies = async (tamper?: Parameters<FakeFal["signedWebhook"]>[1]) => {
      const webhook = await fake.signedWebhook(queued.request_id, tamper);
      assert.equal(webhook.url, harness.hookUrl(200));
      return await signatureVerifies(fake.jwksUrl, webhook.headers, webhook.body);
    };

    assert.equal(await verifies(), true);
    assert.equal(await verifies({ unknownKey: true }), false);
    assert.equal(await verifies({ flipBodyByte: true }), false);
    assert.equal(await verifies({ badSignatureHex: true }), false);

    const stale = await fake.signedWebhook(queued.request_id, { timestampOffsetSeconds: -600 });
    assert.ok(await signatureVerifies(fake.jwksUrl, stale.headers, stale.body));
    const age = Date.now() / 1000 - Number(stale.headers.get("x-fal-webhook-timestamp"));
    assert.ok(age >= 600, `the timestamp is ${age} s old`);

    const flipped = await fake.signedWebhook(queued.request_id, { flipBodyByte: true });
    assert.notEqual(parse(flipped.body).request_id, queued.request_id);
  });
});

Deno.test("an upscaler's output is the input's size times the requested factor", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client } = harness;
    const aura = await client.queue.submit("fal-ai/aura-sr", {
      input: { image_url: harness.photoUrl(300, 200), upscale_factor: 2 },
    });
    const seedvr = await client.queue.submit("fal-ai/seedvr/upscale/image", {
      input: { image_url: harness.photoUrl(160, 120), upscale_factor: 3 },
    });
    await fake.settled(aura.request_id);
    await fake.settled(seedvr.request_id);

    const { data: auraOut } = await client.queue.result("fal-ai/aura-sr", { requestId: aura.request_id });
    assert.deepEqual([auraOut.image.width, auraOut.image.height], [600, 400]);
    assert.deepEqual(await imageSizeAt(auraOut.image.url), { format: "jpeg", width: 600, height: 400 });
    const { data: seedvrOut } = await client.queue.result("fal-ai/seedvr/upscale/image", {
      requestId: seedvr.request_id,
    });
    assert.deepEqual(await imageSizeAt(seedvrOut.image.url), { format: "jpeg", width: 480, height: 360 });
    assert.equal(typeof seedvrOut.seed, "number");
  });
});

Deno.test("flux-pulid answers its documented output for a square_hd request", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client } = harness;
    const queued = await client.queue.submit("fal-ai/flux-pulid", {
      input: {
        prompt: "a knight",
        reference_image_url: harness.photoUrl(64, 64),
        image_size: "square_hd",
        seed: 7,
      },
    });
    await fake.settled(queued.request_id);
    const { data } = await client.queue.result("fal-ai/flux-pulid", { requestId: queued.request_id });
    assert.deepEqual([data.images[0].width, data.images[0].height], [1024, 1024]);
    assert.equal(data.seed, 7);
    assert.equal(data.prompt, "a knight");
    assert.deepEqual(data.has_nsfw_concepts, [false]);
    assert.equal(fake.submits[0].imageFetches[0].field, "reference_image_url");
  });
});

Deno.test("a missing required field is refused with a FastAPI-style 422", async () => {
  await withHarness({}, async (harness) => {
    const endpoint: string = NANO_BANANA;
    const error = await rejection(harness.client.queue.submit(endpoint, { input: { prompt: "no photos" } }));
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.fieldErrors, [{
      loc: ["body", "image_urls"],
      msg: "Field required",
      type: "missing",
    }]);
    assert.equal(harness.fake.submits[0].requestId, null);
  });
});

Deno.test("an unknown endpoint is answered 404", async () => {
  await withHarness({}, async (harness) => {
    const endpoint: string = "fal-ai/no-such-model";
    const error = await rejection(harness.client.queue.submit(endpoint, { input: { prompt: "x" } }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
  });
});

Deno.test("an input image that cannot be fetched ends the request in a file_download_error", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: { prompt: "two photos", image_urls: [harness.photoUrl(32, 32), harness.missingPhotoUrl] },
      webhookUrl: harness.hookUrl(200),
    });
    await fake.settled(queued.request_id);

    assert.deepEqual(fake.submits[0].imageFetches.map(({ field, ok }) => ({ field, ok })), [
      { field: "image_urls[0]", ok: true },
      { field: "image_urls[1]", ok: false },
    ]);
    const body = parse(received[0].body);
    assert.equal(body.status, "ERROR");
    assert.equal(body.error, "Invalid status code: 422");
    assert.deepEqual(
      body.payload.detail.map(({ loc, type }: { loc: unknown; type: string }) => ({ loc, type })),
      [
        { loc: ["body", "image_urls", 1], type: "file_download_error" },
      ],
    );
  });
});

Deno.test("a cancelled request ends without a webhook; cancelling again says ALREADY_COMPLETED", async () => {
  await withHarness({ runMs: 60_000 }, async (harness) => {
    const { fake, client } = harness;
    const queued = await client.queue.submit(NANO_BANANA, {
      input: nanoBananaInput(harness),
      webhookUrl: harness.hookUrl(200),
    });
    await client.queue.cancel(NANO_BANANA, { requestId: queued.request_id });
    await fake.settled(queued.request_id);

    assert.deepEqual(fake.deliveries, []);
    const error = await rejection(client.queue.cancel(NANO_BANANA, { requestId: queued.request_id }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 400);
    assert.deepEqual(error.body, { status: "ALREADY_COMPLETED" });
  });
});

Deno.test("a hanging submit is held until the fake closes, then answered", async () => {
  await withHarness({}, async (harness) => {
    const { fake } = harness;
    fake.plan(NANO_BANANA, { kind: "hang" });
    const answer = fetch(fake.proxyUrl, {
      method: "POST",
      headers: {
        authorization: `Key ${CREDENTIALS}`,
        "content-type": "application/json",
        "x-fal-target-url": `https://queue.fal.run/${NANO_BANANA}`,
      },
      body: JSON.stringify(nanoBananaInput(harness)),
    });
    while (fake.submits.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(fake.submits[0].status, null);

    await fake.close();
    const response = await answer;
    assert.equal(response.status, 503);
    await response.body?.cancel();
    assert.equal(fake.submits[0].status, 503);
  });
});

Deno.test("twenty submits at once all complete, each with its own webhook", async () => {
  await withHarness({}, async (harness) => {
    const { fake, client, received } = harness;
    const queued = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.queue.submit(NANO_BANANA, {
          input: nanoBananaInput(harness),
          webhookUrl: harness.hookUrl(200),
        })),
    );
    await Promise.all(queued.map(({ request_id }) => fake.settled(request_id)));

    const ids = new Set(queued.map(({ request_id }) => request_id));
    assert.equal(ids.size, 20);
    assert.deepEqual(new Set(received.map((webhook) => parse(webhook.body).request_id)), ids);
  });
});

/** POSTs a nano-banana submit through the proxy as the client would, without the client's own retries. */
async function rawSubmitStatus(harness: Harness): Promise<number> {
  const response = await fetch(harness.fake.proxyUrl, {
    method: "POST",
    headers: {
      authorization: `Key ${CREDENTIALS}`,
      "content-type": "application/json",
      "x-fal-target-url": `https://queue.fal.run/${NANO_BANANA}`,
    },
    body: JSON.stringify(nanoBananaInput(harness)),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("random faults go to the submits the random draws pick, after any planned fault", async () => {
  // Per submit: a draw below the rate gives a fault, and a second draw picks which one.
  const draws = [0.1, 0.2, 0.9, 0.25, 0.7, 0.3];
  const random = () => draws.shift() ?? 0.99;
  const faults = [
    { kind: "server_error", status: 500 },
    { kind: "server_error", status: 503 },
  ] as const;
  await withHarness({ randomFaults: { rate: 0.3, faults: [...faults], random } }, async (harness) => {
    const { fake } = harness;
    fake.plan(NANO_BANANA, { kind: "server_error", status: 502 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await rawSubmitStatus(harness));

    assert.deepEqual(statuses, [502, 500, 200, 503, 200]);
    assert.deepEqual(fake.submits.map((submit) => submit.fault), [
      { kind: "server_error", status: 502 },
      faults[0],
      null,
      faults[1],
      null,
    ]);
    assert.equal(draws.length, 0, "the planned fault drew nothing");
    await Promise.all(
      fake.submits.flatMap((submit) => submit.requestId ? [fake.settled(submit.requestId)] : []),
    );
  });
});

Deno.test("random faults refuse a rate outside 0 to 1 or an empty list", async () => {
  for (
    const randomFaults of [{ rate: 1.5, faults: [{ kind: "hang" as const }] }, { rate: 0.3, faults: [] }]
  ) {
    await assert.rejects(startFakeFal({ credentials: CREDENTIALS, randomFaults }), /randomFaults/);
  }
});
