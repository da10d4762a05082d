/**
 * Webhook signing as fal documents it, for the fake fal server: an Ed25519 key pair made with WebCrypto, its
 * public half published as a JWKS entry, and a hex signature over
 * `${request_id}\n${user_id}\n${timestamp}\n${sha256_hex(raw body)}`.
 */
import { sha256Hex } from "../../../scripts/sha256_hex.ts";

/** One entry of a JWKS document: what a receiver imports to verify (`importKey("jwk", …, "Ed25519")`). */
export interface Ed25519PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
}

export interface WebhookSignatureFields {
  requestId: string;
  userId: string;
  /** Unix seconds, as sent in X-Fal-Webhook-Timestamp. */
  timestamp: number;
  body: Uint8Array;
}

export interface WebhookSigner {
  publicJwk: Ed25519PublicJwk;
  /** The X-Fal-Webhook-Signature value: 64 signature bytes as lower-case hex. */
  sign(fields: WebhookSignatureFields): Promise<string>;
}

/** The exact text fal signs; the body enters only through its digest, so it must be hashed as received. */
export async function webhookSigningMessage(fields: WebhookSignatureFields): Promise<string> {
  return `${fields.requestId}\n${fields.userId}\n${fields.timestamp}\n${await sha256Hex(fields.body)}`;
}

export async function createWebhookSigner(kid: string): Promise<WebhookSigner> {
  const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const exported = await crypto.subtle.exportKey("jwk", keys.publicKey);
  if (typeof exported.x !== "string") throw new Error("the Ed25519 public key exported without its x");
  return {
    publicJwk: { kty: "OKP", crv: "Ed25519", x: exported.x, kid },
    async sign(fields) {
      const message = new TextEncoder().encode(await webhookSigningMessage(fields));
      const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, message));
      return Array.from(signature, (byte) => byte.toString(16).padStart(2, "0")).join("");
    },
  };
}
