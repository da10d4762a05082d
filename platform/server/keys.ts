/**
 * The platform's keys, as a local Supabase stack has them:
 * - the legacy HS256 JWT secret and the anon / service_role API keys signed with it (Supabase CLI defaults);
 * - an asymmetric ES256 signing key for user sessions, published at /auth/v1/.well-known/jwks.json so that
 *   `supabase.auth.getClaims()` verifies tokens locally, as it does against a hosted project.
 * - a Shopify webhook secret, so that the local shopify-webhooks function verifies deliveries that the platform's
 *   dev routes (and the demo) sign, without anyone having to configure one first.
 * The ES256 key and the Shopify secret are generated on first start and kept in the (ignored) keys folder.
 */
import { join } from "node:path";
import { exportJWK, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";

/** Supabase CLI's local JWT secret: public knowledge, for local use only. */
const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const LEGACY_KEY_EXPIRY = 1983812996;

export interface PlatformKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Public JWKS document served by the auth stand-in. */
  jwks: { keys: JWK[] };
  /** Signs a session access token with the ES256 key. */
  signAccessToken(claims: JWTPayload, expiresInSeconds: number): Promise<string>;
  /** Signs a short-lived HS256 token (storage URLs); the payload is returned by `verifyHs256`. */
  signHs256(claims: JWTPayload, expiresInSeconds: number): Promise<string>;
  /** Verifies an ES256 session token or an HS256 token (legacy API keys); throws on anything else. */
  verify(token: string): Promise<JWTPayload>;
  /** The local default of SHOPIFY_WEBHOOK_SECRET: 32 random bytes, hex. */
  shopifyWebhookSecret: string;
}

interface StoredSigningKey {
  kid: string;
  privateJwk: JWK;
}

/**
 * The text of `keysDir/name`, created by `create` when it does not exist yet. Written aside and linked into
 * place: two processes starting on a fresh folder agree on one value, and a reader never sees half a file.
 */
async function readOrCreateKeyFile(
  keysDir: string,
  name: string,
  create: () => string | Promise<string>,
): Promise<string> {
  const path = join(keysDir, name);
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const content = await create();
  await Deno.mkdir(keysDir, { recursive: true });
  const staged = `${path}.${crypto.randomUUID()}`;
  await Deno.writeTextFile(staged, content, { mode: 0o600 });
  try {
    await Deno.link(staged, path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  } finally {
    await Deno.remove(staged);
  }
  return await Deno.readTextFile(path);
}

async function createSigningKey(): Promise<string> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const stored: StoredSigningKey = { kid: crypto.randomUUID(), privateJwk: await exportJWK(pair.privateKey) };
  return JSON.stringify(stored);
}

function createShopifyWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The platform's keys, from the keys folder; the ones missing there are created on first use. */
export async function platformKeys(keysDir: string): Promise<PlatformKeys> {
  const secret = new TextEncoder().encode(LOCAL_JWT_SECRET);
  const stored = JSON.parse(
    await readOrCreateKeyFile(keysDir, "signing_key.json", createSigningKey),
  ) as StoredSigningKey;
  const shopifyWebhookSecret = (
    await readOrCreateKeyFile(keysDir, "shopify_webhook_secret", createShopifyWebhookSecret)
  ).trim();
  const privateKey = await importJWK({ ...stored.privateJwk, alg: "ES256" }, "ES256");
  const { d: _private, ...publicJwk } = stored.privateJwk;
  const publicKey = await importJWK({ ...publicJwk, alg: "ES256" }, "ES256");

  const legacyKey = (role: string) =>
    new SignJWT({ iss: "supabase-demo", role, exp: LEGACY_KEY_EXPIRY })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(secret);

  return {
    jwtSecret: LOCAL_JWT_SECRET,
    anonKey: await legacyKey("anon"),
    serviceRoleKey: await legacyKey("service_role"),
    jwks: { keys: [{ ...publicJwk, kid: stored.kid, alg: "ES256", use: "sig", key_ops: ["verify"] }] },
    signAccessToken: (claims, expiresInSeconds) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: stored.kid, typ: "JWT" })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
        .sign(privateKey),
    signHs256: (claims, expiresInSeconds) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
        .sign(secret),
    async verify(token) {
      const { payload } = await jwtVerify(token, (header) => {
        if (header.alg === "HS256") return secret;
        if (header.alg === "ES256" && header.kid === stored.kid) return publicKey;
        throw new Error(`no key for alg ${header.alg} kid ${header.kid ?? "none"}`);
      });
      return payload;
    },
    shopifyWebhookSecret,
  };
}
