/** The maintenance function's database access, as `postgres` (SUPABASE_DB_URL), the owner of schema `internal`. */
import type { Sql } from "../_shared/database.ts";
import type { StoredObject } from "../_shared/storage.ts";

export interface ExpiredStory {
  storyId: string;
  userId: string;
}

export interface ExpiryStore {
  /** Marks unbought previews past expires_at as expired; returns those newly expired. */
  expirePreviews(): Promise<ExpiredStory[]>;
  /** Expired stories whose image paths are still recorded (e.g. a run that stopped before forgetting them). */
  expiredWithImages(limit: number): Promise<ExpiredStory[]>;
  /** The stories' objects in the previews and pages buckets, recorded or not (e.g. left by a crashed attempt). */
  objectsOf(stories: ExpiredStory[]): Promise<StoredObject[]>;
  /** Clears the stories' image paths, once their objects are gone. */
  forgetImages(storyIds: string[]): Promise<number>;
}

export function createExpiryStore(sql: Sql): ExpiryStore {
  return {
    async expirePreviews() {
      const rows = await sql<{ story_id: string; user_id: string }[]>`
        select story_id, user_id from internal.expire_previews()`;
      return rows.map((row) => ({ storyId: row.story_id, userId: row.user_id }));
    },

    async expiredWithImages(limit) {
      const rows = await sql<{ story_id: string; user_id: string }[]>`
        select s.id as story_id, s.user_id
          from public.stories s
         where s.status = 'expired'
           and exists (
             select 1 from public.story_pages p left join internal.page_renders r on r.page_id = p.id
              where p.story_id = s.id and (p.preview_path is not null or r.hires_path is not null))
         limit ${limit}`;
      return rows.map((row) => ({ storyId: row.story_id, userId: row.user_id }));
    },

    async objectsOf(stories) {
      if (stories.length === 0) return [];
      // Object names follow the bucket layout: previews <user>/<story>/…, pages <story>/….
      const previewPrefixes = stories.map((story) => `${story.userId}/${story.storyId}/%`);
      const pagePrefixes = stories.map((story) => `${story.storyId}/%`);
      const rows = await sql<{ bucket_id: string; name: string }[]>`
        select bucket_id, name from storage.objects
         where (bucket_id = 'previews' and name like any(${previewPrefixes}::text[]))
            or (bucket_id = 'pages' and name like any(${pagePrefixes}::text[]))`;
      return rows.map((row) => ({ bucket: row.bucket_id, path: row.name }));
    },

    async forgetImages(storyIds) {
      if (storyIds.length === 0) return 0;
      const [{ forgotten }] = await sql<{ forgotten: number }[]>`
        select internal.forget_preview_images(${storyIds}::uuid[]) as forgotten`;
      return forgotten;
    },
  };
}
