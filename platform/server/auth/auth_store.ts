/**
 * The Auth stand-in's storage: GoTrue's own tables (`auth.users`, `auth.identities`, `auth.sessions`,
 * `auth.refresh_tokens`), written the way GoTrue writes them, and the JSON GoTrue renders a user as.
 *
 * Writes run as `supabase_auth_admin`, the role GoTrue connects as, so triggers that project migrations put on
 * `auth.users` run with the same privileges as on hosted Supabase (a trigger that writes to `public` without
 * `security definer` fails here too). Password hashing needs pgcrypto in `extensions`, which that role cannot
 * use, so it runs on the admin connection before the role switch.
 */
import type postgres from "postgres";
import { AuthError } from "./auth_errors.ts";

/** GoTrue leaves `instance_id` at the nil UUID (a relic of multi-tenant GoTrue). */
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
export const DEFAULT_AUDIENCE = "authenticated";
export const DEFAULT_ROLE = "authenticated";

export type JsonObject = Record<string, unknown>;

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: JsonObject | null;
  raw_user_meta_data: JsonObject | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

const userColumns = [
  "id",
  "aud",
  "role",
  "email",
  "encrypted_password",
  "email_confirmed_at",
  "invited_at",
  "phone",
  "phone_confirmed_at",
  "confirmation_sent_at",
  "confirmed_at",
  "recovery_sent_at",
  "email_change",
  "email_change_sent_at",
  "phone_change",
  "phone_change_sent_at",
  "reauthentication_sent_at",
  "last_sign_in_at",
  "raw_app_meta_data",
  "raw_user_meta_data",
  "created_at",
  "updated_at",
  "banned_until",
  "deleted_at",
  "is_anonymous",
] as const;

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: JsonObject;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  not_after: Date | null;
}

export interface UserWithIdentities {
  user: UserRow;
  identities: IdentityRow[];
}

type Sql = postgres.Sql | postgres.TransactionSql;

/** A jsonb parameter (postgres.js serialises it once; a pre-stringified value would be stored as a string). */
export const jsonb = (sql: Sql, value: JsonObject) => sql.json(value as postgres.JSONValue);

/** Runs `work` in one transaction as `supabase_auth_admin`, the role GoTrue uses. */
export async function asAuthAdmin<T>(
  admin: postgres.Sql,
  work: (sql: postgres.TransactionSql) => Promise<T>,
) {
  return await admin.begin(async (sql) => {
    await sql`set local role supabase_auth_admin`;
    return await work(sql);
  }) as T;
}

/** bcrypt through pgcrypto, as GoTrue stores passwords (`$2a$…`). */
export async function hashPassword(admin: postgres.Sql, password: string): Promise<string> {
  const [row] = await admin<{ hash: string }[]>`
    select extensions.crypt(${password}, extensions.gen_salt('bf')) as hash`;
  return row.hash;
}

export async function passwordMatches(admin: postgres.Sql, password: string, hash: string): Promise<boolean> {
  const [row] = await admin<{ matches: boolean }[]>`
    select extensions.crypt(${password}, ${hash}) = ${hash} as matches`;
  return row.matches;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export async function findUserById(sql: Sql, id: string): Promise<UserWithIdentities | null> {
  const [user] = await sql<UserRow[]>`select ${sql(userColumns)} from auth.users where id = ${id}`;
  return user ? { user, identities: await identitiesOf(sql, id) } : null;
}

/** GoTrue's lookup for password sign-in and duplicate checks: case-insensitive, same audience, no SSO users. */
export async function findUserByEmail(
  sql: Sql,
  email: string,
  aud: string,
): Promise<UserWithIdentities | null> {
  const [user] = await sql<UserRow[]>`
    select ${sql(userColumns)} from auth.users
    where pg_catalog.lower(email) = ${email.toLowerCase()} and aud = ${aud} and not is_sso_user
    limit 1`;
  return user ? { user, identities: await identitiesOf(sql, user.id) } : null;
}

async function identitiesOf(sql: Sql, userId: string): Promise<IdentityRow[]> {
  return await sql<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
    from auth.identities where user_id = ${userId} order by created_at, id`;
}

/** A GoTrue 500 whose cause (kept for the log) is a database failure. */
export class DatabaseError extends AuthError {
  constructor(message: string, readonly causeError: unknown) {
    super(500, "unexpected_failure", message);
  }
}

export interface NewUser {
  id?: string;
  aud: string;
  role: string;
  email: string | null;
  phone: string | null;
  passwordHash: string | null;
  appMetadata: JsonObject;
  userMetadata: JsonObject;
  isAnonymous: boolean;
  /** Confirm the email (or phone) at creation, as GoTrue does with autoconfirm or `email_confirm`. */
  emailConfirmed: boolean;
  phoneConfirmed: boolean;
}

/**
 * Inserts a user the way GoTrue does. The token columns get empty strings rather than nulls: GoTrue reads them
 * as plain strings, and rows written otherwise are a known cause of "Database error querying schema".
 * A failing insert (often a project trigger on `auth.users`) surfaces as GoTrue's 500.
 */
export async function insertUser(sql: postgres.TransactionSql, user: NewUser): Promise<string> {
  const userMetadata = user.emailConfirmed
    ? { ...user.userMetadata, email_verified: true }
    : user.userMetadata;
  try {
    const [row] = await sql<{ id: string }[]>`
      insert into auth.users (
        instance_id, id, aud, role, email, phone, encrypted_password,
        email_confirmed_at, phone_confirmed_at, raw_app_meta_data, raw_user_meta_data,
        confirmation_token, recovery_token, email_change_token_new, email_change,
        is_sso_user, is_anonymous, created_at, updated_at
      ) values (
        ${NIL_UUID}, coalesce(${user.id ?? null}::uuid, gen_random_uuid()), ${user.aud}, ${user.role},
        ${user.email}, ${user.phone}, ${user.passwordHash ?? ""},
        case when ${user.emailConfirmed} then now() end, case when ${user.phoneConfirmed} then now() end,
        ${jsonb(sql, user.appMetadata)}, ${jsonb(sql, userMetadata)},
        '', '', '', '', false, ${user.isAnonymous}, now(), now()
      )
      returning id`;
    return row.id;
  } catch (error) {
    throw new DatabaseError("Database error saving new user", error);
  }
}

export async function insertIdentity(
  sql: postgres.TransactionSql,
  userId: string,
  provider: "email" | "phone",
  identityData: JsonObject,
): Promise<void> {
  await sql`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${userId}, ${userId}, ${jsonb(sql, identityData)}, ${provider}, now(), now(), now())`;
}

/** Merges metadata the way GoTrue does: keys set to null are removed, others replaced. */
export function mergeMetadata(current: JsonObject | null, updates: JsonObject): JsonObject {
  const merged: JsonObject = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function createSessionRow(
  sql: postgres.TransactionSql,
  userId: string,
  userAgent: string | null,
): Promise<SessionRow> {
  const [session] = await sql<SessionRow[]>`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent)
    values (gen_random_uuid(), ${userId}, now(), now(), 'aal1', ${userAgent})
    returning id, user_id, created_at, not_after`;
  await sql`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
  return session;
}

export async function insertRefreshToken(
  sql: postgres.TransactionSql,
  token: { token: string; userId: string; sessionId: string; parent: string | null },
): Promise<void> {
  await sql`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values (${NIL_UUID}, ${token.token}, ${token.userId}, false, now(), now(), ${token.parent}, ${token.sessionId})`;
}

const isoTime = (value: Date | null) => (value ? value.toISOString() : undefined);
/** Go renders an unset `time.Time` as its zero value. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

function identityJson(identity: IdentityRow): JsonObject {
  return {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: isoTime(identity.last_sign_in_at),
    created_at: isoTime(identity.created_at) ?? GO_ZERO_TIME,
    updated_at: isoTime(identity.updated_at) ?? GO_ZERO_TIME,
    email: identity.email || undefined,
  };
}

/**
 * A user as GoTrue renders it: same keys, same order, optional timestamps omitted when unset, email and phone
 * as empty strings when absent.
 */
export function userJson({ user, identities }: UserWithIdentities): JsonObject {
  return {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    email_confirmed_at: isoTime(user.email_confirmed_at),
    invited_at: isoTime(user.invited_at),
    phone: user.phone ?? "",
    phone_confirmed_at: isoTime(user.phone_confirmed_at),
    confirmation_sent_at: isoTime(user.confirmation_sent_at),
    confirmed_at: isoTime(user.confirmed_at),
    recovery_sent_at: isoTime(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: isoTime(user.email_change_sent_at),
    new_phone: user.phone_change || undefined,
    phone_change_sent_at: isoTime(user.phone_change_sent_at),
    reauthentication_sent_at: isoTime(user.reauthentication_sent_at),
    last_sign_in_at: isoTime(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: isoTime(user.created_at) ?? GO_ZERO_TIME,
    updated_at: isoTime(user.updated_at) ?? GO_ZERO_TIME,
    banned_until: isoTime(user.banned_until),
    deleted_at: isoTime(user.deleted_at),
    is_anonymous: user.is_anonymous,
  };
}

export function isBanned(user: UserRow, now = new Date()): boolean {
  return user.banned_until !== null && user.banned_until > now;
}
