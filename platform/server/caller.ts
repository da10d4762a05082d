/**
 * Who is calling, and running SQL as them. Supabase's services (PostgREST, Storage, Realtime) authenticate the
 * JWT, then run each request in one transaction after `set_config('role', …, true)` and the claim settings, so
 * that row level security applies as the caller. This module does the same for the platform's stand-ins.
 */
import type postgres from "postgres";
import type { JWTPayload } from "jose";
import { bearerToken } from "./http.ts";
import type { PlatformKeys } from "./keys.ts";

export type DatabaseRole = "anon" | "authenticated" | "service_role";

export interface Caller {
  role: DatabaseRole;
  claims: JWTPayload & { role: DatabaseRole };
  /** The user id (`sub`), when the token belongs to a user. */
  userId: string | null;
  token: string;
}

export class CallerError extends Error {
  override name = "CallerError";
}

const databaseRoles = new Set<string>(["anon", "authenticated", "service_role"]);

/** Verifies a JWT (session token or legacy API key) and returns the caller it names. */
export async function callerFromToken(keys: PlatformKeys, token: string): Promise<Caller> {
  let claims: JWTPayload;
  try {
    claims = await keys.verify(token);
  } catch (error) {
    throw new CallerError(`invalid JWT: ${(error as Error).message}`);
  }
  const role = typeof claims.role === "string" ? claims.role : "";
  if (!databaseRoles.has(role)) throw new CallerError(`invalid JWT: unknown role "${role}"`);
  return {
    role: role as DatabaseRole,
    claims: claims as Caller["claims"],
    userId: typeof claims.sub === "string" ? claims.sub : null,
    token,
  };
}

/**
 * The caller of an HTTP request: the bearer token when there is one, else the `apikey` header, as Supabase's
 * gateway resolves it. Returns null when the request carries neither.
 */
export async function callerFromRequest(keys: PlatformKeys, request: Request): Promise<Caller | null> {
  const token = bearerToken(request) ?? request.headers.get("apikey");
  if (!token) return null;
  return await callerFromToken(keys, token);
}

export interface CallerSettings {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Extra transaction-local settings, e.g. `storage.allow_delete_query` or `realtime.topic`. */
  extra?: Record<string, string>;
}

/**
 * Runs `work` in one transaction as the caller: role switched and JWT claims set transaction-locally, the way
 * PostgREST and Storage do, so RLS policies and `auth.uid()` behave exactly as on Supabase.
 */
export async function asCaller<T>(
  admin: postgres.Sql,
  caller: Caller,
  work: (sql: postgres.TransactionSql) => Promise<T>,
  settings: CallerSettings = {},
): Promise<T> {
  return await admin.begin(async (sql) => {
    await setCallerContext(sql, caller, settings);
    return await work(sql);
  }) as T;
}

export async function setCallerContext(
  sql: postgres.TransactionSql,
  caller: Caller,
  settings: CallerSettings = {},
): Promise<void> {
  const entries: [string, string][] = [
    ["role", caller.role],
    ["request.jwt.claims", JSON.stringify(caller.claims)],
    ["request.jwt.claim.sub", caller.userId ?? ""],
    ["request.jwt.claim.role", caller.role],
    ["request.method", settings.method ?? ""],
    ["request.path", settings.path ?? ""],
    ["request.headers", JSON.stringify(settings.headers ?? {})],
    ...Object.entries(settings.extra ?? {}),
  ];
  const names = entries.map(([name]) => name);
  const values = entries.map(([, value]) => value);
  await sql`select set_config(name, value, true) from unnest(${names}::text[], ${values}::text[]) as s(name, value)`;
}
