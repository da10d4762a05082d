/**
 * GoTrue's error responses. GoTrue answers in one of two body shapes depending on the `X-Supabase-Api-Version`
 * request header: clients that announce 2024-01-01 or later (auth-js always does) get
 * `{"code": "<error_code>", "message": "..."}` and the version echoed back; everyone else gets the original
 * `{"code": <status>, "error_code": "...", "msg": "..."}`. The stand-in keeps both so that auth-js and raw HTTP
 * callers see exactly what they would see against GoTrue.
 */
import { json } from "../http.ts";

export const API_VERSION_HEADER = "X-Supabase-Api-Version";
const API_VERSION_2024_01_01 = "2024-01-01";

export class AuthError extends Error {
  override name = "AuthError";

  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Set for `weak_password`: which rules the password broke (e.g. "length"). */
    readonly weakPasswordReasons?: string[],
  ) {
    super(message);
  }
}

/** GoTrue's answer for failures it did not anticipate; the details go to the log only. */
export const unexpectedFailure = () =>
  new AuthError(
    500,
    "unexpected_failure",
    "Unexpected failure, please check server logs for more information",
  );

/** The API version the request asked for, when it is a valid date at or after the first dated version. */
export function requestedApiVersion(request: Request): string | null {
  const value = request.headers.get(API_VERSION_HEADER)?.trim();
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(date) || date < Date.parse(`${API_VERSION_2024_01_01}T00:00:00Z`)) return null;
  // 2024-01-01 is the only dated version so far, so every later date resolves to it.
  return API_VERSION_2024_01_01;
}

export function authErrorBody(error: AuthError, apiVersion: string | null): Record<string, unknown> {
  const weakPassword = error.weakPasswordReasons
    ? { weak_password: { reasons: error.weakPasswordReasons } }
    : {};
  if (apiVersion) return { code: error.errorCode, message: error.message, ...weakPassword };
  return { code: error.status, error_code: error.errorCode, msg: error.message, ...weakPassword };
}

export function authErrorResponse(error: AuthError, request: Request): Response {
  const apiVersion = requestedApiVersion(request);
  const headers: Record<string, string> = apiVersion ? { [API_VERSION_HEADER]: apiVersion } : {};
  return json(authErrorBody(error, apiVersion), error.status, headers);
}
