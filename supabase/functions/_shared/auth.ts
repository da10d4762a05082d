/**
 * Who is calling. Users: the bearer token's claims, verified by supabase-js against the project's JWKS (no call
 * to Auth per request for asymmetric keys). Internal functions: the service role key, compared in constant time.
 */
import { createClient, isAuthApiError, isAuthError, isAuthSessionMissingError } from "@supabase/supabase-js";
import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./http.ts";

/** The verified claims of a signed-in user (anonymous sign-ins included). */
export interface UserClaims {
  sub: string;
  role: "authenticated";
  [claim: string]: unknown;
}

/** Resolves a request to its signed-in user, or throws a 401 ApiError. */
export type Authenticator = (request: Request) => Promise<UserClaims>;

export function bearerToken(request: Request): string | null {
  const match = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1] : null;
}

function unauthorized(message: string): ApiError {
  return new ApiError(401, "unauthorized", message);
}

export interface AuthenticatorOptions {
  /**
   * Also ask Auth whether the token's session still exists (one request to Auth). A signed-out token stays
   * valid by signature until it expires; for an action that cannot be undone (erasing data) that is not enough.
   */
  requireLiveSession?: boolean;
}

export function createUserAuthenticator(
  supabaseUrl: string,
  anonKey: string,
  options: AuthenticatorOptions = {},
): Authenticator {
  const supabase = createClient(supabaseUrl, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  return async (request) => {
    const token = bearerToken(request);
    if (!token) throw unauthorized("Sign in first: the request has no bearer token.");
    let claims: Record<string, unknown>;
    try {
      const { data, error } = await supabase.auth.getClaims(token);
      if (error || !data) throw unauthorized("The session token is not valid; sign in again.");
      claims = data.claims;
    } catch (error) {
      // A malformed token surfaces as a thrown AuthError; a JWKS fetch failure is ours (500), not the caller's.
      if (isAuthError(error)) throw unauthorized("The session token is not valid; sign in again.");
      throw error;
    }
    if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
      throw unauthorized("This needs a signed-in user's session token.");
    }
    if (options.requireLiveSession) {
      const { data, error } = await supabase.auth.getUser(token);
      // Auth answering 4xx means the session is gone (signed out, or the user deleted); Auth unreachable or
      // failing is ours to report (500), not the caller's fault.
      const sessionGone = error !== null &&
        (isAuthSessionMissingError(error) || (isAuthApiError(error) && error.status < 500));
      if (error && !sessionGone) throw error;
      if (sessionGone || data.user?.id !== claims.sub) {
        throw unauthorized("This session has ended; sign in again.");
      }
    }
    return claims as UserClaims;
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** True when the request carries exactly this key as its bearer token; the comparison leaks no timing. */
export function hasServiceKey(request: Request, serviceRoleKey: string): boolean {
  const token = bearerToken(request) ?? "";
  // Comparing fixed-length digests keeps the comparison constant-time even when the lengths differ.
  return timingSafeEqual(digest(token), digest(serviceRoleKey));
}

/** Throws 401 unless the request carries the service role key. */
export function requireServiceKey(request: Request, serviceRoleKey: string): void {
  if (!hasServiceKey(request, serviceRoleKey)) {
    throw unauthorized("This function accepts service credentials only.");
  }
}
