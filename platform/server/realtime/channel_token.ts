/**
 * Verifies the token a Realtime channel is joined (or refreshed) with, and words refusals the way Supabase
 * Realtime does, so client code that logs or matches them sees the same text locally.
 */
import { decodeJwt } from "jose";
import { type Caller, callerFromToken } from "../caller.ts";
import type { PlatformKeys } from "../keys.ts";

export type TokenCheck = { ok: true; caller: Caller; expiresAt: number } | { ok: false; reason: string };

/** Roles the platform can switch to; a token naming any other role cannot be impersonated. */
const switchableRoles = new Set(["anon", "authenticated", "service_role"]);

export async function checkChannelToken(
  keys: PlatformKeys,
  token: string,
  nowSeconds: number,
): Promise<TokenCheck> {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    return { ok: false, reason: "MalformedJWT: The token provided is not a valid JWT" };
  }
  if (typeof claims.role !== "string" || typeof claims.exp !== "number") {
    return { ok: false, reason: "InvalidJWTToken: Fields `role` and `exp` are required in JWT" };
  }
  if (claims.exp <= nowSeconds) {
    return { ok: false, reason: `InvalidJWTToken: Token has expired ${nowSeconds - claims.exp} seconds ago` };
  }
  if (!switchableRoles.has(claims.role)) {
    return { ok: false, reason: `InvalidJWTToken: role "${claims.role}" does not exist` };
  }
  try {
    return { ok: true, caller: await callerFromToken(keys, token), expiresAt: claims.exp };
  } catch {
    return { ok: false, reason: "JwtSignatureError: Failed to validate JWT signature" };
  }
}

/** The message of a refusal without its leading code, as Realtime words a channel shutdown. */
export function withoutCode(reason: string): string {
  return reason.replace(/^[A-Za-z]+: /, "");
}
