/**
 * Channel authorization by RLS on `realtime.messages`, the way Supabase Realtime evaluates it (stand-in).
 *
 * Read: in one transaction, insert probe rows for the topic (one per extension) as the admin, switch to the
 * caller (role, JWT claims, `realtime.topic`), select the probes back, roll back. A probe the caller can see
 * means their `select` policies allow that extension on that topic.
 * Write: in one transaction as the caller, insert a probe row; a row level security refusal means no write
 * permission. Everything is rolled back, so no probe is ever stored or delivered.
 */
import type postgres from "postgres";
import { type Caller, setCallerContext } from "../caller.ts";

export interface ReadPolicies {
  broadcast: boolean;
  presence: boolean;
}

export interface AuthorizationContext {
  caller: Caller;
  /** The topic without its `realtime:` prefix. */
  topic: string;
  /** Headers of the WebSocket upgrade (or HTTP) request, exposed to policies as `request.headers`. */
  headers: Record<string, string>;
}

/** Carries a result out of a transaction that must roll back. */
class RolledBack<T> {
  constructor(readonly value: T) {}
}

async function inRolledBackTransaction<T>(
  admin: postgres.Sql,
  work: (sql: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  try {
    await admin.begin(async (sql) => {
      throw new RolledBack(await work(sql));
    });
  } catch (outcome) {
    if (outcome instanceof RolledBack) return outcome.value as T;
    throw outcome;
  }
  throw new Error("unreachable: the transaction always rolls back");
}

function callerSettings(context: AuthorizationContext) {
  return { headers: context.headers, extra: { "realtime.topic": context.topic } };
}

export function readPolicies(admin: postgres.Sql, context: AuthorizationContext): Promise<ReadPolicies> {
  return inRolledBackTransaction(admin, async (sql) => {
    const probes = await sql<{ id: string; extension: string }[]>`
      insert into realtime.messages (topic, extension, private)
      values (${context.topic}, 'broadcast', true), (${context.topic}, 'presence', true)
      returning id, extension`;
    await setCallerContext(sql, context.caller, callerSettings(context));
    const visible = await sql<{ id: string }[]>`
      select id from realtime.messages
      where topic = ${context.topic} and id = any(${probes.map((probe) => probe.id)}::uuid[])`;
    const visibleIds = new Set(visible.map((row) => row.id));
    const can = (extension: string) =>
      probes.some((probe) => probe.extension === extension && visibleIds.has(probe.id));
    return { broadcast: can("broadcast"), presence: can("presence") };
  });
}

const INSUFFICIENT_PRIVILEGE = "42501";

export function canWriteBroadcast(admin: postgres.Sql, context: AuthorizationContext): Promise<boolean> {
  return inRolledBackTransaction(admin, async (sql) => {
    await setCallerContext(sql, context.caller, callerSettings(context));
    try {
      await sql`insert into realtime.messages (topic, extension, private) values (${context.topic}, 'broadcast', true)`;
      return true;
    } catch (error) {
      if ((error as postgres.PostgresError).code === INSUFFICIENT_PRIVILEGE) return false;
      throw error;
    }
  });
}
