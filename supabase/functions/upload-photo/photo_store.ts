/**
 * The upload-photo function's database access, as `postgres` (SUPABASE_DB_URL): the rate limit lives in schema
 * `internal`, and users have no write policies on public.photos, so the row is written here on their behalf.
 */
import type { Sql } from "../_shared/database.ts";
import type { FaceBox } from "../_shared/images/image_provider.ts";

export interface NewPhoto {
  id: string;
  userId: string;
  storagePath: string;
  width: number;
  height: number;
  faceBox: FaceBox;
  faceConfidence: number;
  faceAreaPercent: number;
}

export interface PhotoStore {
  /**
   * Counts one upload against the user's hourly allowance. Returns 0 when admitted, otherwise the seconds until
   * the next upload would be (nothing is counted then); null when the user no longer exists (a deleted user's
   * access token stays valid until it expires).
   */
  admitUpload(userId: string): Promise<number | null>;
  insert(photo: NewPhoto): Promise<void>;
}

export function createPhotoStore(sql: Sql): PhotoStore {
  return {
    async admitUpload(userId) {
      const [{ retry_after }] = await sql<{ retry_after: number | null }[]>`
        select case when exists (select 1 from auth.users where id = ${userId}::uuid)
                    then internal.admit_photo_upload(${userId}::uuid) end as retry_after`;
      return retry_after;
    },
    async insert(photo) {
      await sql`
        insert into public.photos
          (id, user_id, storage_path, width, height, face_box, face_confidence, face_area_percent)
        values (${photo.id}::uuid, ${photo.userId}::uuid, ${photo.storagePath}, ${photo.width}, ${photo.height},
                ${sql.json({ ...photo.faceBox })}, ${photo.faceConfidence}, ${photo.faceAreaPercent})`;
    },
  };
}
