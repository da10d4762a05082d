/**
 * Runs one request's SQL the way Supabase Storage does: each unit of work in its own transaction as the caller
 * (role, JWT claims, request method/path/headers, `storage.operation`, and `storage.allow_delete_query` so the
 * delete guard lets the API delete rows), with database errors turned into Storage's errors.
 */
import type postgres from "postgres";
import { asCaller, type Caller, type CallerSettings } from "../caller.ts";
import { fromDatabaseError } from "./storage_errors.ts";

class PermissionProbe extends Error {
  override name = "PermissionProbe";
}

export class StorageDatabase {
  private readonly settings: CallerSettings;

  constructor(
    private readonly admin: postgres.Sql,
    /** Storage's "super user": the service role, which bypasses RLS. */
    private readonly serviceCaller: Caller,
    request: { method: string; path: string; headers: Record<string, string>; operation: string },
  ) {
    this.settings = {
      method: request.method,
      path: request.path,
      headers: request.headers,
      extra: { "storage.operation": request.operation, "storage.allow_delete_query": "true" },
    };
  }

  async as<T>(caller: Caller, work: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> {
    try {
      return await asCaller(this.admin, caller, work, this.settings);
    } catch (error) {
      throw fromDatabaseError(error);
    }
  }

  asSuperUser<T>(work: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> {
    return this.as(this.serviceCaller, work);
  }

  /**
   * Runs `work` as the caller and rolls it back: Storage's permission check before it accepts an upload's bytes.
   * Any error (RLS, duplicate key) surfaces as the Storage error the real write would have produced.
   */
  async testPermission(
    caller: Caller,
    work: (sql: postgres.TransactionSql) => Promise<unknown>,
  ): Promise<void> {
    try {
      await this.as(caller, async (sql) => {
        await work(sql);
        throw new PermissionProbe();
      });
    } catch (error) {
      if (!(error instanceof PermissionProbe)) throw error;
    }
  }
}
