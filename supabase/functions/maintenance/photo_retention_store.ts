/** The photo retention sweep's database access, as `postgres` (SUPABASE_DB_URL), the owner of schema `internal`. */
import type { Sql } from "../_shared/database.ts";

export type DeletionReason = "preview_expired" | "book_delivered" | "never_used";

export interface DuePhoto {
  photoId: string;
  storagePath: string;
  reason: DeletionReason;
}

export interface PhotoRetentionStore {
  /** The oldest photos no story needs any more (internal.photos_due_for_deletion). */
  photosDue(limit: number): Promise<DuePhoto[]>;
  /**
   * Deletes those of the photos that are still due and records each deletion; returns the deleted ones. A photo
   * needed again since it was selected is kept.
   */
  forgetPhotos(photoIds: string[]): Promise<DuePhoto[]>;
  /** Paths of photos-bucket objects no photo row names, an hour old or older (forgotten photos, failed uploads). */
  orphanedPhotoObjects(limit: number): Promise<string[]>;
  /** Deletes the upload attempts that have left the rate limit's window; returns how many. */
  pruneUploadAttempts(): Promise<number>;
}

interface PhotoRow {
  photo_id: string;
  storage_path: string;
  reason: DeletionReason;
}

function toDuePhoto(row: PhotoRow): DuePhoto {
  return { photoId: row.photo_id, storagePath: row.storage_path, reason: row.reason };
}

export function createPhotoRetentionStore(sql: Sql): PhotoRetentionStore {
  return {
    async photosDue(limit) {
      const rows = await sql<PhotoRow[]>`
        select photo_id, storage_path, reason from internal.photos_due_for_deletion(${limit})`;
      return rows.map(toDuePhoto);
    },

    async forgetPhotos(photoIds) {
      if (photoIds.length === 0) return [];
      const rows = await sql<PhotoRow[]>`
        select photo_id, storage_path, reason from internal.forget_photos(${photoIds}::uuid[])`;
      return rows.map(toDuePhoto);
    },

    async orphanedPhotoObjects(limit) {
      const rows = await sql<{ path: string }[]>`select path from internal.orphaned_photo_objects(${limit})`;
      return rows.map((row) => row.path);
    },

    async pruneUploadAttempts() {
      const [{ pruned }] = await sql<{ pruned: number }[]>`
        select internal.prune_photo_upload_attempts() as pruned`;
      return pruned;
    },
  };
}
