/**
 * fal's webhook signature: an Ed25519 signature over
 * `${requestId}\n${userId}\n${timestamp}\n${sha256hex(rawBody)}`, checked against the public keys fal
 * publishes as a JWKS (research notes §1.3).
 */
import { z } from "zod";

export type WebhookSignatureFailure =
  | "missing_headers"
  | "stale_timestamp"
  | "bad_signature"
  | "keys_unavailable";

export class WebhookSignatureError extends Error {
  override readonly name = "WebhookSignatureError";

  constructor(readonly reason: WebhookSignatureFailure, message: string) {
    super(message);
  }
}

export interface WebhookVerifierOptions {
  jwksUrl: string;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** How long fetched keys are used before fetching again; default 1 h, at most 24 h. */
  cacheTtlMs?: number;
  /** How far the signed timestamp may be from now; default 300 s. */
  toleranceSeconds?: number;
}

export interface VerifiedWebhook {
  requestId: string;
  userId: string;
  /** Unix seconds. */
  timestamp: number;
}

export interface WebhookVerifier {
  /** Resolves when fal signed exactly these bytes; rejects with WebhookSignatureError otherwise. */
  verify(headers: Headers, rawBody: Uint8Array): Promise<VerifiedWebhook>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** An unknown key may mean fal rotated its keys, but a forger must not make us fetch the JWKS on every call. */
const REFETCH_INTERVAL_MS = 5 * 60 * 1000;
const ED25519_SIGNATURE_BYTES = 64;
const JWKS_TIMEOUT_MS = 5000;
/** Keys are fetched again after an hour; on an outage, the cached ones serve until they are a day old. */
const DEFAULT_CACHE_TTL_MS = 60 * 60 * 1000;

const jwks = z.object({ keys: z.array(z.unknown()) });
const ed25519Jwk = z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string().min(1) });

interface KeyCache {
  keys: CryptoKey[];
  fetchedAt: number;
}

export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  const fetchJwks = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const cacheTtlMs = Math.min(options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS, DAY_MS);
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  let cache: KeyCache | null = null;
  let lastFetchStartedAt = -Infinity;
  let lastFetchFailedAt = -Infinity;
  let inFlight: Promise<KeyCache> | null = null;

  function refreshKeys(): Promise<KeyCache> {
    if (!inFlight) {
      lastFetchStartedAt = now();
      inFlight = loadKeys(fetchJwks, options.jwksUrl, now)
        .then((loaded) => (cache = loaded), (error) => {
          lastFetchFailedAt = now();
          throw error;
        })
        .finally(() => (inFlight = null));
    }
    return inFlight;
  }

  /**
   * The cached keys while fresh; else fresh keys, or, when fal's JWKS cannot be fetched, the cached ones until
   * they are a day old (after a failure, the JWKS is tried again at most once per refetch interval, so an outage
   * does not cost every webhook a fetch). Keys older than a day are never trusted.
   */
  async function currentKeys(): Promise<{ keys: CryptoKey[]; fresh: boolean }> {
    if (cache && now() - cache.fetchedAt < cacheTtlMs) return { keys: cache.keys, fresh: false };
    const usable = cache && now() - cache.fetchedAt < DAY_MS ? cache : null;
    if (usable && !inFlight && now() - lastFetchFailedAt < REFETCH_INTERVAL_MS) {
      return { keys: usable.keys, fresh: false };
    }
    try {
      return { keys: (await refreshKeys()).keys, fresh: true };
    } catch (error) {
      if (usable) return { keys: usable.keys, fresh: false };
      throw new WebhookSignatureError(
        "keys_unavailable",
        `fal's webhook keys could not be fetched: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  return {
    async verify(headers, rawBody) {
      const requestId = headers.get("x-fal-webhook-request-id");
      const userId = headers.get("x-fal-webhook-user-id");
      const timestampHeader = headers.get("x-fal-webhook-timestamp");
      const signatureHeader = headers.get("x-fal-webhook-signature");
      if (!requestId || !userId || !timestampHeader || !signatureHeader) {
        throw new WebhookSignatureError("missing_headers", "a fal webhook signature header is missing");
      }
      if (!/^\d{1,15}$/.test(timestampHeader)) {
        throw new WebhookSignatureError("missing_headers", "the fal webhook timestamp is not whole seconds");
      }
      const timestamp = Number(timestampHeader);
      if (Math.abs(now() / 1000 - timestamp) > toleranceSeconds) {
        throw new WebhookSignatureError("stale_timestamp", "the fal webhook timestamp is too far from now");
      }
      const signature = hexToBytes(signatureHeader);
      if (signature?.length !== ED25519_SIGNATURE_BYTES) {
        throw new WebhookSignatureError(
          "bad_signature",
          "the fal webhook signature is not 64 hex-encoded bytes",
        );
      }
      const message = new TextEncoder().encode(
        `${requestId}\n${userId}\n${timestampHeader}\n${await sha256Hex(rawBody)}`,
      );

      const current = await currentKeys();
      if (await verifiesWithAny(current.keys, signature, message)) return { requestId, userId, timestamp };
      if (!current.fresh && (inFlight || now() - lastFetchStartedAt >= REFETCH_INTERVAL_MS)) {
        const rotated = await refreshKeys().catch(() => null);
        if (rotated && await verifiesWithAny(rotated.keys, signature, message)) {
          return { requestId, userId, timestamp };
        }
      }
      throw new WebhookSignatureError("bad_signature", "no fal webhook key verifies this signature");
    },
  };
}

async function loadKeys(fetchJwks: typeof fetch, jwksUrl: string, now: () => number): Promise<KeyCache> {
  // Every webhook waiting for the keys waits on this one fetch: it must not hang.
  const response = await fetchJwks(jwksUrl, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`the JWKS answered ${response.status}`);
  }
  const parsed = jwks.safeParse(await response.json());
  if (!parsed.success) throw new Error("the JWKS has no keys list");
  const keys: CryptoKey[] = [];
  for (const candidate of parsed.data.keys) {
    const jwk = ed25519Jwk.safeParse(candidate);
    if (!jwk.success) continue;
    try {
      keys.push(await crypto.subtle.importKey("jwk", jwk.data, { name: "Ed25519" }, false, ["verify"]));
    } catch {
      // A malformed key is skipped like a foreign one: the others may still verify.
    }
  }
  if (keys.length === 0) throw new Error("the JWKS holds no Ed25519 key");
  return { keys, fetchedAt: now() };
}

async function verifiesWithAny(
  keys: CryptoKey[],
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  for (const key of keys) {
    if (await crypto.subtle.verify("Ed25519", key, signature, message)) return true;
  }
  return false;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
