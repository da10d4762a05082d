/**
 * Who calls the Storage stand-in, and the signed URL tokens it hands out. Storage verifies the JWT of every
 * authenticated route and refuses a missing or bad one with AccessDenied and the verifier's message; signed URLs
 * carry an HS256 token whose `url` claim names the one object (`<bucket>/<name>`) it grants.
 */
import type { JWTPayload } from "jose";
import { bearerToken } from "../http.ts";
import { type Caller, CallerError, callerFromToken } from "../caller.ts";
import type { PlatformKeys } from "../keys.ts";
import { storageErrors } from "./storage_errors.ts";

/** Storage's default lifetime of a signed upload URL (`UPLOAD_SIGNED_URL_EXPIRATION_TIME`). */
export const SIGNED_UPLOAD_URL_EXPIRY_SECONDS = 7200;

/** The wording Storage's JWT verifier uses, which clients and tests see in `message`. */
export function jwtFailureMessage(error: unknown): string {
  switch ((error as { code?: string }).code) {
    case "ERR_JWT_EXPIRED":
      return "jwt expired";
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "invalid signature";
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return "jwt malformed";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return "jwt not active";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "invalid algorithm";
    default:
      return "invalid token";
  }
}

function requestToken(request: Request): string | null {
  return bearerToken(request) ?? request.headers.get("apikey");
}

/** The verified caller of a request; refuses a missing or invalid JWT as Storage does. */
export async function authenticate(keys: PlatformKeys, request: Request): Promise<Caller> {
  const token = requestToken(request);
  if (!token) throw storageErrors.accessDenied("jwt must be provided");
  try {
    return await callerFromToken(keys, token);
  } catch (error) {
    if (!(error instanceof CallerError)) throw error;
    // verify again only to word the refusal like Storage; a verified token failed on its role instead
    const message = await keys.verify(token).then(() => error.message, jwtFailureMessage);
    throw storageErrors.accessDenied(message);
  }
}

/** The caller when the request carries a valid JWT, else null (routes that also serve public buckets). */
export async function authenticateIfPossible(keys: PlatformKeys, request: Request): Promise<Caller | null> {
  if (!requestToken(request)) return null;
  try {
    return await authenticate(keys, request);
  } catch {
    return null;
  }
}

export async function signDownloadUrl(
  keys: PlatformKeys,
  bucketId: string,
  name: string,
  expiresIn: number,
): Promise<string> {
  const url = `${bucketId}/${name}`;
  const token = await keys.signHs256({ url }, expiresIn);
  return `/object/sign/${url}?token=${token}`;
}

export async function signUploadUrl(
  keys: PlatformKeys,
  bucketId: string,
  name: string,
  owner: string | null,
  upsert: boolean,
): Promise<{ url: string; token: string }> {
  const url = `${bucketId}/${name}`;
  const token = await keys.signHs256(
    { owner: owner ?? undefined, url, upsert },
    SIGNED_UPLOAD_URL_EXPIRY_SECONDS,
  );
  return { url: `/object/upload/sign/${url}?token=${token}`, token };
}

/**
 * Verifies a signed URL token for `<bucket>/<name>` and its purpose; Storage's InvalidJWT / InvalidSignature
 * otherwise. Upload tokens carry `upsert` and download tokens do not, so neither can stand in for the other.
 */
export async function verifySignedUrlToken(
  keys: PlatformKeys,
  token: string,
  bucketId: string,
  name: string,
  purpose: "download" | "upload",
): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    payload = await keys.verify(token);
  } catch (error) {
    throw storageErrors.invalidJwt(jwtFailureMessage(error));
  }
  if (payload.url !== `${bucketId}/${name}`) throw storageErrors.invalidSignature();
  if ((typeof payload.upsert === "boolean") !== (purpose === "upload")) {
    throw storageErrors.invalidSignature();
  }
  if (typeof payload.exp !== "number" || payload.exp * 1000 < Date.now()) {
    throw storageErrors.expiredSignature();
  }
  return payload;
}
