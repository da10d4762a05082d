/** Shopify redactions as maintenance carries them out: the users' files first (Storage API), then the rows. */
import type { Sql } from "../_shared/database.ts";
import { type StoredObject, userStorageObjects } from "../_shared/storage.ts";

export interface PendingRedaction {
  requestId: string;
  userIds: string[];
}

export interface RedactionStore {
  pending(limit: number): Promise<PendingRedaction[]>;
  /** Every storage object of the user (photos, previews, print pages, books). */
  objectsOf(userId: string): Promise<StoredObject[]>;
  /** Erases the users' rows, anonymises or deletes the orders, and marks the request done. */
  complete(requestId: string): Promise<void>;
  /** Kept for the next run and for an operator: the request stays pending. */
  recordFailure(requestId: string, message: string): Promise<void>;
}

export function createRedactionStore(sql: Sql): RedactionStore {
  return {
    async pending(limit) {
      const rows = await sql<{ request_id: string; user_ids: string[] }[]>`
        select request_id, user_ids from internal.pending_redactions(${limit}::integer)`;
      return rows.map((row) => ({ requestId: row.request_id, userIds: row.user_ids }));
    },
    objectsOf: (userId) => userStorageObjects(sql, userId),
    async complete(requestId) {
      await sql`select internal.complete_redaction(${requestId}::uuid)`;
    },
    async recordFailure(requestId, message) {
      await sql`update internal.privacy_requests set last_error = ${message} where id = ${requestId}::uuid`;
    },
  };
}
