/**
 * The user-facing Auth routes auth-js calls: sign-up (anonymous or email + password), the password and
 * refresh token grants, reading and updating the signed-in user, and logout. Statuses, error codes and
 * messages are GoTrue's.
 */
import type postgres from "postgres";
import type { JWTPayload } from "jose";
import { bearerToken, json } from "../http.ts";
import type { PlatformKeys } from "../keys.ts";
import type { Logger } from "../log.ts";
import type { AuthConfig } from "./auth_config.ts";
import { AuthError } from "./auth_errors.ts";
import {
  checkPasswordStrength,
  passwordGrantParams,
  readParams,
  refreshTokenGrantParams,
  signupParams,
  userUpdateParams,
  validateEmail,
  validationFailed,
} from "./auth_params.ts";
import {
  asAuthAdmin,
  DEFAULT_AUDIENCE,
  DEFAULT_ROLE,
  findUserByEmail,
  findUserById,
  hashPassword,
  insertIdentity,
  insertUser,
  isBanned,
  isUuid,
  jsonb,
  type JsonObject,
  mergeMetadata,
  passwordMatches,
  userJson,
  type UserWithIdentities,
} from "./auth_store.ts";
import { issueSession, refreshSession, type TokenSettings } from "./session_tokens.ts";

export interface AuthDeps {
  admin: postgres.Sql;
  keys: PlatformKeys;
  config: AuthConfig;
  tokens: TokenSettings;
  log: Logger;
}

const userAgent = (request: Request) => request.headers.get("user-agent");

/** GoTrue's audience for a request: the `X-JWT-AUD` header, else the token's, else the default. */
function requestAudience(request: Request, claims?: JWTPayload): string {
  const header = request.headers.get("x-jwt-aud");
  if (header) return header;
  const tokenAudience = Array.isArray(claims?.aud) ? claims.aud[0] : claims?.aud;
  return tokenAudience || DEFAULT_AUDIENCE;
}

async function verifiedBearer(keys: PlatformKeys, request: Request): Promise<JWTPayload> {
  const token = bearerToken(request);
  if (!token) throw new AuthError(401, "no_authorization", "This endpoint requires a Bearer token");
  try {
    return await keys.verify(token);
  } catch (error) {
    throw new AuthError(
      403,
      "bad_jwt",
      `invalid JWT: unable to parse or verify signature, ${(error as Error).message}`,
    );
  }
}

export interface SignedInUser {
  account: UserWithIdentities;
  sessionId: string | null;
  claims: JWTPayload;
}

/** GoTrue's `requireAuthentication`: a valid user token whose user and session still exist. */
export async function requireUser(deps: AuthDeps, request: Request): Promise<SignedInUser> {
  const claims = await verifiedBearer(deps.keys, request);
  if (!claims.sub) throw new AuthError(403, "bad_jwt", "invalid claim: missing sub claim");
  if (!isUuid(claims.sub)) throw new AuthError(400, "bad_jwt", "invalid claim: sub claim must be a UUID");
  const account = await findUserById(deps.admin, claims.sub);
  if (!account) throw new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist");

  const sessionId = typeof claims.session_id === "string" && claims.session_id !== ""
    ? claims.session_id
    : null;
  if (sessionId && sessionId !== "00000000-0000-0000-0000-000000000000") {
    if (!isUuid(sessionId)) {
      throw new AuthError(403, "bad_jwt", "invalid claim: session_id claim must be a UUID");
    }
    const [session] = await deps.admin`select id from auth.sessions where id = ${sessionId}`;
    if (!session) {
      throw new AuthError(403, "session_not_found", "Session from session_id claim in JWT does not exist");
    }
  }
  return { account, sessionId, claims };
}

/** GoTrue's `requireAdminCredentials`: a token whose role is an admin role (the service role key). */
export async function requireAdmin(deps: AuthDeps, request: Request): Promise<void> {
  const claims = await verifiedBearer(deps.keys, request);
  if (claims.role !== "service_role" && claims.role !== "supabase_admin") {
    throw new AuthError(403, "not_admin", "User not allowed");
  }
}

/** `POST /signup`: anonymous when neither email nor phone is given, else email + password. */
export async function signup(deps: AuthDeps, request: Request): Promise<Response> {
  const { config } = deps;
  const params = await readParams(request, signupParams);
  const aud = requestAudience(request);

  if (!params.email && !params.phone) {
    if (!config.anonymousSignInsEnabled) {
      throw new AuthError(422, "anonymous_provider_disabled", "Anonymous sign-ins are disabled");
    }
    if (!config.signupEnabled) throw signupDisabled();
    const session = await asAuthAdmin(deps.admin, async (sql) => {
      const userId = await insertUser(sql, {
        aud,
        role: DEFAULT_ROLE,
        email: null,
        phone: null,
        passwordHash: null,
        // GoTrue records no provider for anonymous users: they have no identity yet.
        appMetadata: {},
        userMetadata: params.data ?? {},
        isAnonymous: true,
        emailConfirmed: false,
        phoneConfirmed: false,
      });
      return await issueSession(sql, deps.tokens, userId, userAgent(request));
    });
    return json(session);
  }

  if (!config.signupEnabled) throw signupDisabled();
  if (!params.password) throw validationFailed("Signup requires a valid password");
  checkPasswordStrength(params.password, config.minimumPasswordLength);
  if (params.email && params.phone) {
    throw validationFailed("Only an email address or phone number should be provided on signup.");
  }
  // Phone sign-up needs an SMS provider, which the local platform does not have (as `[auth.sms]` defaults).
  if (!params.email) throw new AuthError(400, "phone_provider_disabled", "Phone signups are disabled");
  if (!config.emailProviderEnabled) {
    throw new AuthError(400, "email_provider_disabled", "Email signups are disabled");
  }

  const email = validateEmail(params.email);
  const data = params.data ?? {};
  if (await findUserByEmail(deps.admin, email, aud)) {
    if (config.emailAutoconfirm) throw new AuthError(422, "user_already_exists", "User already registered");
    // With confirmations on, GoTrue answers as if it had sent a confirmation, so sign-up does not reveal
    // which addresses are registered.
    return json(obfuscatedSignup(email, aud, data));
  }

  const passwordHash = await hashPassword(deps.admin, params.password);
  const result = await asAuthAdmin(deps.admin, async (sql) => {
    const userId = await insertUser(sql, {
      aud,
      role: DEFAULT_ROLE,
      email,
      phone: null,
      passwordHash,
      appMetadata: { provider: "email", providers: ["email"] },
      userMetadata: data,
      isAnonymous: false,
      emailConfirmed: config.emailAutoconfirm,
      phoneConfirmed: false,
    });
    await insertIdentity(sql, userId, "email", {
      ...data,
      sub: userId,
      email,
      email_verified: false,
      phone_verified: false,
    });
    if (config.emailAutoconfirm) return await issueSession(sql, deps.tokens, userId, userAgent(request));
    // No mail can be sent locally; the user stays unconfirmed until an admin confirms them.
    return userJson((await findUserById(sql, userId))!);
  });
  return json(result);
}

const signupDisabled = () => new AuthError(422, "signup_disabled", "Signups not allowed for this instance");

function obfuscatedSignup(email: string, aud: string, data: JsonObject): JsonObject {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud,
    role: "",
    email,
    phone: "",
    confirmation_sent_at: now,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

/** `POST /token?grant_type=…`. */
export async function token(deps: AuthDeps, request: Request, url: URL): Promise<Response> {
  const grantType = url.searchParams.get("grant_type");
  if (grantType === "password") return await passwordGrant(deps, request);
  if (grantType === "refresh_token") return await refreshTokenGrant(deps, request);
  throw validationFailed("unsupported_grant_type");
}

const invalidCredentials = () => new AuthError(400, "invalid_credentials", "Invalid login credentials");

async function passwordGrant(deps: AuthDeps, request: Request): Promise<Response> {
  const params = await readParams(request, passwordGrantParams);
  if (params.email && params.phone) {
    throw validationFailed("Only an email address or phone number should be provided on login.");
  }
  if (params.phone) throw new AuthError(422, "phone_provider_disabled", "Phone logins are disabled");
  if (!params.email) throw validationFailed("missing email or phone");
  if (!deps.config.emailProviderEnabled) {
    throw new AuthError(422, "email_provider_disabled", "Email logins are disabled");
  }

  const account = await findUserByEmail(deps.admin, params.email, requestAudience(request));
  const hash = account?.user.encrypted_password;
  if (!account || !hash) throw invalidCredentials();
  if (isBanned(account.user)) throw new AuthError(400, "user_banned", "User is banned");
  if (!await passwordMatches(deps.admin, params.password ?? "", hash)) throw invalidCredentials();
  if (!account.user.email_confirmed_at) {
    throw new AuthError(400, "email_not_confirmed", "Email not confirmed");
  }

  const session = await asAuthAdmin(
    deps.admin,
    (sql) => issueSession(sql, deps.tokens, account.user.id, userAgent(request)),
  );
  return json(session);
}

async function refreshTokenGrant(deps: AuthDeps, request: Request): Promise<Response> {
  const params = await readParams(request, refreshTokenGrantParams);
  if (!params.refresh_token) throw validationFailed("refresh_token required");
  const policy = {
    rotation: deps.config.refreshTokenRotation,
    reuseIntervalSeconds: deps.config.refreshTokenReuseInterval,
  };
  const outcome = await asAuthAdmin(
    deps.admin,
    (sql) => refreshSession(sql, deps.tokens, policy, params.refresh_token!, userAgent(request)),
  );
  if ("refusal" in outcome) throw outcome.refusal;
  return json(outcome.session);
}

/** `GET /user`. */
export async function getUser(deps: AuthDeps, request: Request): Promise<Response> {
  const { account, claims } = await requireUser(deps, request);
  const tokenAudience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  if (!tokenAudience || tokenAudience !== requestAudience(request, claims)) {
    throw validationFailed("Token audience doesn't match request audience");
  }
  return json(userJson(account));
}

/**
 * `PUT /user`: metadata, password, and email. An anonymous user who adds an email while confirmations are off
 * becomes a permanent email user at once, as on GoTrue; other email changes would need a confirmation mail, so
 * the new address is only recorded as pending (`new_email`).
 */
export async function updateUser(deps: AuthDeps, request: Request): Promise<Response> {
  const { config } = deps;
  const { account, sessionId } = await requireUser(deps, request);
  const params = await readParams(request, userUpdateParams);
  const { user } = account;

  const email = params.email ? validateEmail(params.email) : null;
  if (params.phone) throw new AuthError(422, "phone_provider_disabled", "Phone logins are disabled");
  if (typeof params.password === "string") {
    checkPasswordStrength(params.password, config.minimumPasswordLength);
  }
  if (params.app_metadata) {
    throw new AuthError(403, "not_admin", "Updating app_metadata requires admin privileges");
  }
  if (user.is_anonymous && params.password && !email) {
    throw new AuthError(
      422,
      "validation_failed",
      "Updating password of an anonymous user without an email or phone is not allowed",
    );
  }
  const changesEmail = email !== null && email !== user.email;
  if (changesEmail) {
    const holder = await findUserByEmail(deps.admin, email, user.aud ?? DEFAULT_AUDIENCE);
    if (holder && holder.user.id !== user.id) {
      throw new AuthError(422, "email_exists", "A user with this email address has already been registered");
    }
  }
  let passwordHash: string | null = null;
  if (params.password) {
    if (
      user.encrypted_password && await passwordMatches(deps.admin, params.password, user.encrypted_password)
    ) {
      throw new AuthError(422, "same_password", "New password should be different from the old password.");
    }
    passwordHash = await hashPassword(deps.admin, params.password);
  }

  const updated = await asAuthAdmin(deps.admin, async (sql) => {
    if (passwordHash) {
      await sql`update auth.users set encrypted_password = ${passwordHash}, updated_at = now() where id = ${user.id}`;
      // A new password ends every other session, as on GoTrue.
      await sql`delete from auth.sessions where user_id = ${user.id} and id is distinct from ${sessionId}`;
    }
    if (params.data) {
      const metadata = mergeMetadata(user.raw_user_meta_data, params.data);
      await sql`
        update auth.users set raw_user_meta_data = ${jsonb(sql, metadata)}, updated_at = now()
        where id = ${user.id}`;
    }
    if (changesEmail && user.is_anonymous && config.emailAutoconfirm) {
      await convertAnonymousToEmailUser(sql, account, email);
    } else if (changesEmail) {
      await sql`
        update auth.users set email_change = ${email}, email_change_sent_at = now(), updated_at = now()
        where id = ${user.id}`;
    }
    return (await findUserById(sql, user.id))!;
  });
  return json(userJson(updated));
}

async function convertAnonymousToEmailUser(
  sql: postgres.TransactionSql,
  { user }: UserWithIdentities,
  email: string,
): Promise<void> {
  const appMetadata = mergeMetadata(user.raw_app_meta_data, { provider: "email", providers: ["email"] });
  const userMetadata = mergeMetadata(user.raw_user_meta_data, { email_verified: true });
  await sql`
    update auth.users set
      email = ${email}, email_confirmed_at = now(), is_anonymous = false,
      raw_app_meta_data = ${jsonb(sql, appMetadata)},
      raw_user_meta_data = ${jsonb(sql, userMetadata)},
      updated_at = now()
    where id = ${user.id}`;
  await insertIdentity(sql, user.id, "email", {
    sub: user.id,
    email,
    email_verified: true,
    phone_verified: false,
  });
}

/** `POST /logout?scope=global|local|others`: ends sessions; their refresh tokens go with them. */
export async function logout(deps: AuthDeps, request: Request, url: URL): Promise<Response> {
  const { account, sessionId } = await requireUser(deps, request);
  const scope = url.searchParams.get("scope") || "global";
  if (!["global", "local", "others"].includes(scope)) {
    throw validationFailed(`Unsupported logout scope "${scope}"`);
  }
  const userId = account.user.id;
  await asAuthAdmin(deps.admin, async (sql) => {
    if (sessionId && scope === "local") await sql`delete from auth.sessions where id = ${sessionId}`;
    else if (sessionId && scope === "others") {
      await sql`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
    } else await sql`delete from auth.sessions where user_id = ${userId}`;
  });
  return new Response(null, { status: 204 });
}
