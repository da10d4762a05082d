import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { platformKeys } from "../keys.ts";
import { checkChannelToken, withoutCode } from "./channel_token.ts";

const keysDir = await Deno.makeTempDir({ prefix: "realtime_keys_" });
globalThis.addEventListener("unload", () => Deno.removeSync(keysDir, { recursive: true }));
const keys = await platformKeys(keysDir);
const now = Math.floor(Date.now() / 1000);

function unsigned(claims: Record<string, unknown>): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}.c2lnbmF0dXJl`;
}

Deno.test("channel token: a valid session token names its caller and expiry", async () => {
  const token = await keys.signAccessToken({ sub: "user-1", role: "authenticated" }, 60);
  const check = await checkChannelToken(keys, token, now);
  assert.ok(check.ok);
  assert.equal(check.caller.role, "authenticated");
  assert.equal(check.caller.userId, "user-1");
  assert.ok(check.expiresAt > now);
});

Deno.test("channel token: refusals use Realtime's wording", async () => {
  assert.deepEqual(await checkChannelToken(keys, "nope", now), {
    ok: false,
    reason: "MalformedJWT: The token provided is not a valid JWT",
  });
  assert.deepEqual(await checkChannelToken(keys, unsigned({ role: "anon" }), now), {
    ok: false,
    reason: "InvalidJWTToken: Fields `role` and `exp` are required in JWT",
  });
  assert.deepEqual(await checkChannelToken(keys, unsigned({ role: "anon", exp: now - 5 }), now), {
    ok: false,
    reason: "InvalidJWTToken: Token has expired 5 seconds ago",
  });
  assert.deepEqual(await checkChannelToken(keys, unsigned({ role: "anon", exp: now + 60 }), now), {
    ok: false,
    reason: "JwtSignatureError: Failed to validate JWT signature",
  });
});

Deno.test("channel token: a correctly signed token for a role the database lacks is refused", async () => {
  const token = await new SignJWT({ role: "supabase_admin" })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(keys.jwtSecret));
  const check = await checkChannelToken(keys, token, now);
  assert.deepEqual(check.ok, false);
});

Deno.test("channel token: a shutdown message drops the error code", () => {
  assert.equal(
    withoutCode("InvalidJWTToken: Token has expired 0 seconds ago"),
    "Token has expired 0 seconds ago",
  );
  assert.equal(withoutCode("You no longer have permission"), "You no longer have permission");
});
