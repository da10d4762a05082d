/**
 * Database access from functions: postgres.js on SUPABASE_DB_URL (the project has no PostgREST to go through).
 * `prepare: false` because Supabase's pooler runs in transaction mode, where prepared statements do not survive.
 */
import postgres from "postgres";
import type { UserClaims } from "./auth.ts";

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

export interface DatabaseOptions {
  /** Connections this function instance may hold. */
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell the functions apart. */
  applicationName?: string;
  /** How long a connection attempt may take; postgres.js's own default is 30 s. */
  connectTimeoutSeconds?: number;
}

export function createDatabase(url: string, options: DatabaseOptions = {}): Sql {
  return postgres(url, {
    prepare: false,
    max: options.max ?? 4,
    idle_timeout: 20,
    connection: { application_name: options.applicationName ?? "edge-function" },
    // Set only when given: postgres.js takes a key that is present, even undefined, over its default.
    ...(options.connectTimeoutSeconds === undefined
      ? {}
      : { connect_timeout: options.connectTimeoutSeconds }),
    onnotice: () => {},
  });
}

/**
 * Runs `work` in one transaction as the signed-in user: role `authenticated` and the JWT claims set
 * transaction-locally, exactly what supabase-js requests get through PostgREST, so RLS and `auth.uid()` apply.
 */
export async function asUser<T>(
  sql: Sql,
  claims: UserClaims,
  work: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  return await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await work(tx);
  }) as T;
}

/**
 * A generated row type as postgres.js returns it: timestamp columns (named `*_at` throughout our schema) come
 * back as Date objects, where the generated types (written for PostgREST's JSON) say string.
 */
export type DbRow<Row> = {
  [Column in keyof Row]: Column extends `${string}_at` ? (null extends Row[Column] ? Date | null : Date)
    : Row[Column];
};
