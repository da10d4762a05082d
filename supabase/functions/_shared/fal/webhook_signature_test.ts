import assert from "node:assert/strict";
import {
  createWebhookVerifier,
  WebhookSignatureError,
  type WebhookSignatureFailure,
} from "./webhook_signature.ts";

const JWKS_URL = "https://rest.fal.ai/.well-known/jwks.json";
const NOW_MS = Date.parse("2026-11-22T10:00:00Z");
const NOW_S = NOW_MS / 1000;
const MINUTE = 60_000;
const BODY = new TextEncoder().encode('{"request_id":"req-1","status":"OK","payload":{"images":[]}}');

interface Signer {
  jwk: JsonWebKey;
  sign(headers: { requestId: string; userId: string; timestamp: string }, body: Uint8Array): Promise<string>;
}

async function newSigner(): Promise<Signer> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const { kty, crv, x } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return {
    jwk: { kty, crv, x },
    async sign({ requestId, userId, timestamp }, body) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(body)));
      const message = `${requestId}\n${userId}\n${timestamp}\n${toHex(digest)}`;
      const signature = await crypto.subtle.sign(
        "Ed25519",
        pair.privateKey,
        new TextEncoder().encode(message),
      );
      return toHex(new Uint8Array(signature));
    },
  };
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function signedHeaders(signer: Signer, body = BODY, timestamp = String(NOW_S)): Promise<Headers> {
  const signature = await signer.sign({ requestId: "req-1", userId: "user-9", timestamp }, body);
  return new Headers({
    "X-Fal-Webhook-Request-Id": "req-1",
    "X-Fal-Webhook-User-Id": "user-9",
    "X-Fal-Webhook-Timestamp": timestamp,
    "X-Fal-Webhook-Signature": signature,
  });
}

/** A JWKS endpoint serving `keys()` at the time of each fetch, counting its fetches. */
function jwksServer(keys: () => unknown[]) {
  const server = {
    fetches: 0,
    fetch: ((input: RequestInfo | URL) => {
      assert.equal(String(input), JWKS_URL);
      server.fetches++;
      return Promise.resolve(Response.json({ keys: keys() }));
    }) as typeof fetch,
  };
  return server;
}

function clock(startMs = NOW_MS) {
  const time = { ms: startMs, now: () => time.ms };
  return time;
}

async function failure(promise: Promise<unknown>): Promise<WebhookSignatureFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WebhookSignatureError, `expected a WebhookSignatureError, got ${error}`);
    return error.reason;
  }
  assert.fail("expected the webhook to be refused");
}

Deno.test("a webhook signed by a key in fal's JWKS is accepted", async () => {
  const signer = await newSigner();
  const jwks = jwksServer(() => [signer.jwk]);
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: jwks.fetch, now: clock().now });
  const verified = await verifier.verify(await signedHeaders(signer), BODY);
  assert.deepEqual(verified, { requestId: "req-1", userId: "user-9", timestamp: NOW_S });
});

Deno.test("every key of the JWKS is tried, and foreign or malformed keys are ignored", async () => {
  const other = await newSigner();
  const signer = await newSigner();
  const jwks = jwksServer(() => [
    { kty: "RSA", n: "AQAB", e: "AQAB" },
    { kty: "OKP", crv: "X25519", x: other.jwk.x },
    { kty: "OKP", crv: "Ed25519", x: "not-a-key" },
    other.jwk,
    signer.jwk,
  ]);
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: jwks.fetch, now: clock().now });
  await verifier.verify(await signedHeaders(signer), BODY);
});

Deno.test("a body changed by one byte is refused as a bad signature", async () => {
  const signer = await newSigner();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwksServer(() => [signer.jwk]).fetch,
    now: clock().now,
  });
  const headers = await signedHeaders(signer);
  const tampered = BODY.slice();
  tampered[tampered.length - 2] ^= 1;
  assert.equal(await failure(verifier.verify(headers, tampered)), "bad_signature");
});

Deno.test("a webhook signed with an unknown key is refused", async () => {
  const published = await newSigner();
  const forger = await newSigner();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwksServer(() => [published.jwk]).fetch,
    now: clock().now,
  });
  assert.equal(await failure(verifier.verify(await signedHeaders(forger), BODY)), "bad_signature");
});

Deno.test("a timestamp 301 s old or 301 s ahead is refused as stale, and 300 s is still accepted", async () => {
  const signer = await newSigner();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwksServer(() => [signer.jwk]).fetch,
    now: clock().now,
  });
  for (const offset of [-301, 301]) {
    const headers = await signedHeaders(signer, BODY, String(NOW_S + offset));
    assert.equal(await failure(verifier.verify(headers, BODY)), "stale_timestamp", `offset ${offset}`);
  }
  for (const offset of [-300, 300]) {
    await verifier.verify(await signedHeaders(signer, BODY, String(NOW_S + offset)), BODY);
  }
});

Deno.test("a missing signature header is refused before any key is fetched", async () => {
  const signer = await newSigner();
  const jwks = jwksServer(() => [signer.jwk]);
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: jwks.fetch, now: clock().now });
  for (
    const name of [
      "X-Fal-Webhook-Request-Id",
      "X-Fal-Webhook-User-Id",
      "X-Fal-Webhook-Timestamp",
      "X-Fal-Webhook-Signature",
    ]
  ) {
    const headers = await signedHeaders(signer);
    headers.delete(name);
    assert.equal(await failure(verifier.verify(headers, BODY)), "missing_headers", name);
  }
  assert.equal(jwks.fetches, 0);
});

Deno.test("a timestamp that is not whole seconds is refused", async () => {
  const signer = await newSigner();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwksServer(() => [signer.jwk]).fetch,
    now: clock().now,
  });
  for (const timestamp of [`${NOW_S}.5`, "1e9", "-1", "soon"]) {
    const headers = await signedHeaders(signer, BODY, timestamp);
    assert.equal(await failure(verifier.verify(headers, BODY)), "missing_headers", timestamp);
  }
});

Deno.test("a signature that is not 64 hex-encoded bytes is refused", async () => {
  const signer = await newSigner();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwksServer(() => [signer.jwk]).fetch,
    now: clock().now,
  });
  const valid = (await signedHeaders(signer)).get("X-Fal-Webhook-Signature") ?? "";
  for (const signature of [valid.slice(1), valid.slice(2), `${valid}00`, `${valid.slice(2)}zz`]) {
    const headers = await signedHeaders(signer);
    headers.set("X-Fal-Webhook-Signature", signature);
    assert.equal(await failure(verifier.verify(headers, BODY)), "bad_signature", signature);
  }
});

Deno.test("the keys are fetched once and cached until the TTL runs out", async () => {
  const signer = await newSigner();
  const jwks = jwksServer(() => [signer.jwk]);
  const time = clock();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwks.fetch,
    now: time.now,
    cacheTtlMs: 60 * MINUTE,
  });
  await verifier.verify(await signedHeaders(signer), BODY);
  time.ms += 59 * MINUTE;
  await verifier.verify(await signedHeaders(signer, BODY, String(time.ms / 1000)), BODY);
  assert.equal(jwks.fetches, 1);
  time.ms += 2 * MINUTE;
  await verifier.verify(await signedHeaders(signer, BODY, String(time.ms / 1000)), BODY);
  assert.equal(jwks.fetches, 2);
});

Deno.test("a cache TTL beyond 24 h is cut to 24 h", async () => {
  const signer = await newSigner();
  const jwks = jwksServer(() => [signer.jwk]);
  const time = clock();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: jwks.fetch,
    now: time.now,
    cacheTtlMs: 7 * 24 * 60 * MINUTE,
  });
  await verifier.verify(await signedHeaders(signer), BODY);
  time.ms += 24 * 60 * MINUTE + 1;
  await verifier.verify(await signedHeaders(signer, BODY, String(Math.floor(time.ms / 1000))), BODY);
  assert.equal(jwks.fetches, 2);
});

Deno.test("a key fal rotated in is fetched, but unknown keys refetch the JWKS at most every 5 minutes", async () => {
  const first = await newSigner();
  const rotated = await newSigner();
  const forger = await newSigner();
  let published = [first.jwk];
  const jwks = jwksServer(() => published);
  const time = clock();
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: jwks.fetch, now: time.now });
  await verifier.verify(await signedHeaders(first), BODY);
  assert.equal(jwks.fetches, 1);

  published = [first.jwk, rotated.jwk];
  time.ms += 4 * MINUTE;
  const early = await signedHeaders(rotated, BODY, String(time.ms / 1000));
  assert.equal(await failure(verifier.verify(early, BODY)), "bad_signature");
  assert.equal(jwks.fetches, 1);

  time.ms += 2 * MINUTE;
  await verifier.verify(await signedHeaders(rotated, BODY, String(time.ms / 1000)), BODY);
  assert.equal(jwks.fetches, 2);

  time.ms += MINUTE;
  const forged = await signedHeaders(forger, BODY, String(time.ms / 1000));
  assert.equal(await failure(verifier.verify(forged, BODY)), "bad_signature");
  assert.equal(await failure(verifier.verify(forged, BODY)), "bad_signature");
  assert.equal(jwks.fetches, 2);
});

Deno.test("concurrent verifications share one JWKS fetch", async () => {
  const signer = await newSigner();
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let fetches = 0;
  const slowJwks: typeof fetch = async () => {
    fetches++;
    await gate;
    return Response.json({ keys: [signer.jwk] });
  };
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: slowJwks, now: clock().now });
  const headers = await signedHeaders(signer);
  const pending = Array.from({ length: 5 }, () => verifier.verify(headers, BODY));
  release();
  await Promise.all(pending);
  assert.equal(fetches, 1);
});

Deno.test("keys that cannot be fetched with none cached are unavailable, so fal is asked to retry", async () => {
  const signer = await newSigner();
  const headers = await signedHeaders(signer);
  const answers: (() => Response)[] = [
    () => new Response("bad gateway", { status: 502 }),
    () => Response.json({ keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] }),
    () => Response.json({ unexpected: true }),
  ];
  for (const answer of answers) {
    const verifier = createWebhookVerifier({
      jwksUrl: JWKS_URL,
      fetch: () => Promise.resolve(answer()),
      now: clock().now,
    });
    assert.equal(await failure(verifier.verify(headers, BODY)), "keys_unavailable");
  }
  const offline = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: () => Promise.reject(new TypeError("network down")),
    now: clock().now,
  });
  assert.equal(await failure(offline.verify(headers, BODY)), "keys_unavailable");
});

Deno.test("expired keys are still used while fal's JWKS cannot be fetched", async () => {
  const signer = await newSigner();
  let online = true;
  let fetches = 0;
  const flakyJwks: typeof fetch = () => {
    fetches++;
    return online
      ? Promise.resolve(Response.json({ keys: [signer.jwk] }))
      : Promise.reject(new TypeError("down"));
  };
  const time = clock();
  const verifier = createWebhookVerifier({
    jwksUrl: JWKS_URL,
    fetch: flakyJwks,
    now: time.now,
    cacheTtlMs: MINUTE,
  });
  await verifier.verify(await signedHeaders(signer), BODY);
  online = false;
  time.ms += 2 * MINUTE;
  await verifier.verify(await signedHeaders(signer, BODY, String(time.ms / 1000)), BODY);
  await verifier.verify(await signedHeaders(signer, BODY, String(time.ms / 1000)), BODY);
  assert.equal(fetches, 2);
});

Deno.test("keys a day old are no longer trusted, even while fal's JWKS cannot be fetched", async () => {
  const signer = await newSigner();
  let online = true;
  const flakyJwks: typeof fetch = () =>
    online ? Promise.resolve(Response.json({ keys: [signer.jwk] })) : Promise.reject(new TypeError("down"));
  const time = clock();
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: flakyJwks, now: time.now });
  await verifier.verify(await signedHeaders(signer), BODY);
  online = false;
  time.ms += 24 * 60 * MINUTE - MINUTE;
  await verifier.verify(await signedHeaders(signer, BODY, String(time.ms / 1000)), BODY);
  time.ms += 2 * MINUTE;
  assert.equal(
    await failure(verifier.verify(await signedHeaders(signer, BODY, String(time.ms / 1000)), BODY)),
    "keys_unavailable",
  );
});

Deno.test("the JWKS is fetched with a time limit, so a hung fetch cannot hold every webhook", async () => {
  const signer = await newSigner();
  let signal: AbortSignal | null | undefined;
  const jwks: typeof fetch = (_url, init) => {
    signal = init?.signal;
    return Promise.resolve(Response.json({ keys: [signer.jwk] }));
  };
  const verifier = createWebhookVerifier({ jwksUrl: JWKS_URL, fetch: jwks, now: clock().now });
  await verifier.verify(await signedHeaders(signer), BODY);
  assert.ok(signal instanceof AbortSignal);
});
