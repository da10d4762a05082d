/** The erase-data function's database access, as `postgres` (SUPABASE_DB_URL), the owner of schema `internal`. */
import type { Sql } from "../_shared/database.ts";
import { type StoredObject, userStorageObjects } from "../_shared/storage.ts";

export interface ErasedRows {
  photos: number;
  stories: number;
}

export interface ErasureStore {
  /** Every storage object of the user: photos, watermarked previews, print pages and books. */
  objectsOf(userId: string): Promise<StoredObject[]>;
  /** Deletes the user's photos and stories (with their pages and jobs); records the erasure by id. */
  eraseRows(userId: string): Promise<ErasedRows>;
}

export function createErasureStore(sql: Sql): ErasureStore {
  return {
    objectsOf: (userId) => userStorageObjects(sql, userId),
    async eraseRows(userId) {
      const [row] = await sql<{ photos: number; stories: number }[]>`
        select photos, stories from internal.erase_user_data(${userId}::uuid)`;
      return { photos: row.photos, stories: row.stories };
    },
  };
}
