/**
 * Sessions and their tokens, as GoTrue issues them: a row in `auth.sessions`, an opaque refresh token in
 * `auth.refresh_tokens` (rotated on every use, its predecessor kept as `parent`), and a short-lived ES256
 * access token carrying GoTrue's claims. `issueSession` is the one place a session is created; anything that
 * needs a signed-in user (sign-up, sign-in, or a test arranging one) goes through it.
 */
import type postgres from "postgres";
import { decodeJwt, type JWTPayload } from "jose";
import type { PlatformKeys } from "../keys.ts";
import { AuthError } from "./auth_errors.ts";
import {
  createSessionRow,
  findUserById,
  insertRefreshToken,
  isBanned,
  type JsonObject,
  type SessionRow,
  userJson,
  type UserRow,
  type UserWithIdentities,
} from "./auth_store.ts";

/** How the user proved who they are, as recorded in the `amr` claim. */
export type AuthenticationMethod = "password" | "anonymous";

export interface AmrEntry {
  method: string;
  timestamp: number;
}

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  email: string;
  phone: string;
  app_metadata: JsonObject;
  user_metadata: JsonObject;
  role: string;
  aal: string;
  amr: AmrEntry[];
  session_id: string;
  is_anonymous: boolean;
}

export type ClaimsUser = Pick<
  UserRow,
  "id" | "aud" | "role" | "email" | "phone" | "raw_app_meta_data" | "raw_user_meta_data" | "is_anonymous"
>;

/**
 * GoTrue's access token claims for a user's session (`iat` and `exp` are added when signing). Absent email and
 * phone are empty strings, as GoTrue renders them.
 */
export function accessTokenClaims(
  input: { issuer: string; user: ClaimsUser; sessionId: string; amr: AmrEntry[] },
): AccessTokenClaims {
  const { user } = input;
  return {
    iss: input.issuer,
    sub: user.id,
    aud: user.aud ?? "",
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? "",
    aal: "aal1",
    amr: input.amr,
    session_id: input.sessionId,
    is_anonymous: user.is_anonymous,
  };
}

/**
 * The `amr` of a session. GoTrue keeps it in `auth.mfa_amr_claims`; the stand-in has no MFA, so it is derived
 * from the session: anonymous users signed in anonymously, everyone else with a password, at session start.
 */
export function sessionAmr(user: Pick<UserRow, "is_anonymous">, session: Pick<SessionRow, "created_at">) {
  const method: AuthenticationMethod = user.is_anonymous ? "anonymous" : "password";
  return [{ method, timestamp: Math.floor(session.created_at.getTime() / 1000) }];
}

/** GoTrue's token response, which auth-js turns into a `Session`. */
export interface SessionResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: JsonObject;
}

export interface TokenSettings {
  keys: PlatformKeys;
  /** `<apiUrl>/auth/v1`. */
  issuer: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
}

const refreshTokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

/** GoTrue's refresh tokens are 12 random lower-case alphanumerics. */
export function newRefreshToken(length = 12): string {
  let token = "";
  while (token.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // 252 is the largest multiple of 36 below 256: rejecting above it keeps every character equally likely.
      if (byte < 252 && token.length < length) token += refreshTokenAlphabet[byte % 36];
    }
  }
  return token;
}

async function sessionResponse(
  settings: TokenSettings,
  account: UserWithIdentities,
  session: Pick<SessionRow, "id" | "created_at">,
  refreshToken: string,
): Promise<SessionResponse> {
  const claims = accessTokenClaims({
    issuer: settings.issuer,
    user: account.user,
    sessionId: session.id,
    amr: sessionAmr(account.user, session),
  });
  const accessToken = await settings.keys.signAccessToken(claims, settings.expiresIn);
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: settings.expiresIn,
    // Read back from the token so that it is exactly the `exp` the client will see.
    expires_at: decodeJwt(accessToken).exp as number,
    refresh_token: refreshToken,
    user: userJson(account),
  };
}

/**
 * Starts a session for a user inside the caller's transaction (run it as `supabase_auth_admin`): a session
 * row, its first refresh token, `last_sign_in_at`, and a signed access token.
 */
export async function issueSession(
  sql: postgres.TransactionSql,
  settings: TokenSettings,
  userId: string,
  userAgent: string | null = null,
): Promise<SessionResponse> {
  const session = await createSessionRow(sql, userId, userAgent);
  const refreshToken = newRefreshToken();
  await insertRefreshToken(sql, { token: refreshToken, userId, sessionId: session.id, parent: null });
  const account = await findUserById(sql, userId);
  if (!account) throw new AuthError(404, "user_not_found", "User not found");
  return await sessionResponse(settings, account, session, refreshToken);
}

interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  parent: string | null;
  session_id: string | null;
  updated_at: Date;
}

export interface RefreshPolicy {
  rotation: boolean;
  reuseIntervalSeconds: number;
}

/**
 * The outcome of a refresh: a new session response, or a refusal whose side effects (a revoked token family, a
 * deleted orphan token) must be committed before it is answered.
 */
export type RefreshOutcome = { session: SessionResponse } | { refusal: AuthError };

/**
 * GoTrue's refresh token grant, in the caller's transaction (as `supabase_auth_admin`). The presented token is
 * exchanged for a new one (its child) and revoked. Presenting a revoked token is allowed only when it is the
 * parent of the session's current token (the client lost the response; the current token is returned again)
 * or within the reuse interval; otherwise it is reuse: with rotation on, the session's whole token family is
 * revoked, and the caller must commit that before answering `refresh_token_already_used`.
 */
export async function refreshSession(
  sql: postgres.TransactionSql,
  settings: TokenSettings,
  policy: RefreshPolicy,
  presented: string,
  userAgent: string | null = null,
): Promise<RefreshOutcome> {
  const [token] = await sql<RefreshTokenRow[]>`
    select id, token, user_id, revoked, parent, session_id, updated_at
    from auth.refresh_tokens where token = ${presented} for update`;
  if (!token) {
    throw new AuthError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  }
  const account = await findUserById(sql, token.user_id);
  if (!account) {
    throw new AuthError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  }
  if (isBanned(account.user)) throw new AuthError(400, "user_banned", "Invalid Refresh Token: User Banned");

  const [session] = token.session_id
    ? await sql<SessionRow[]>`
        select id, user_id, created_at, not_after from auth.sessions where id = ${token.session_id} for update`
    : [];
  if (!session) {
    await sql`delete from auth.refresh_tokens where id = ${token.id}`;
    return {
      refusal: new AuthError(400, "session_not_found", "Invalid Refresh Token: No Valid Session Found"),
    };
  }
  if (session.not_after && session.not_after < new Date()) {
    throw new AuthError(400, "session_expired", "Invalid Refresh Token: Session Expired");
  }

  let current: string | null = null;
  if (token.revoked) {
    const [active] = await sql<{ token: string; parent: string | null }[]>`
      select token, parent from auth.refresh_tokens
      where session_id = ${session.id} and not revoked order by id desc limit 1`;
    if (active && active.parent === token.token) {
      current = active.token;
    } else {
      const [{ expired }] = await sql<{ expired: boolean }[]>`
        select now() > ${token.updated_at}::timestamptz + make_interval(secs => ${policy.reuseIntervalSeconds})
          as expired`;
      if (expired) {
        if (policy.rotation) {
          await sql`
            update auth.refresh_tokens set revoked = true, updated_at = now()
            where session_id = ${session.id} and not revoked`;
        }
        return {
          refusal: new AuthError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used"),
        };
      }
    }
  }

  if (!current) {
    current = newRefreshToken();
    await sql`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${token.id}`;
    await insertRefreshToken(sql, {
      token: current,
      userId: account.user.id,
      sessionId: session.id,
      parent: token.token,
    });
  }
  await sql`
    update auth.sessions set refreshed_at = timezone('utc', now()), updated_at = now(), user_agent = ${userAgent}
    where id = ${session.id}`;
  return { session: await sessionResponse(settings, account, session, current) };
}
