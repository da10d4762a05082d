/**
 * A preview created from a photo at the moment the retention sweep deletes that photo: two real connections,
 * one holding its transaction open while the other runs. Either the sweep sees the new story and keeps the
 * photo, or the photo is gone first and the preview is refused with 404 (TC404), never a foreign-key error.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import { createDatabase, type Sql } from "../../supabase/functions/_shared/database.ts";
import { createStoredPreview, signInAnonymously, startProjectPlatform } from "../support/preview_fixtures.ts";

/** A photo row nobody has used for two days: the sweep may delete it (never_used). */
async function unusedPhoto(admin: postgres.Sql, userId: string): Promise<string> {
  const [{ id }] = await admin<{ id: string }[]>`
    insert into public.photos (user_id, storage_path, width, height, face_box, face_confidence, face_area_percent,
                               created_at)
    values (${userId}, ${userId + "/" + crypto.randomUUID() + ".jpg"}, 256, 256,
            ${admin.json({ x: 64, y: 48, width: 128, height: 150 })}, 0.98, 29.3, now() - interval '2 days')
    returning id`;
  return id;
}

/** Waits until some backend of this database is blocked on a lock. */
function someoneWaitsForALock(admin: postgres.Sql) {
  return eventually(async () => {
    const [{ waiting }] = await admin<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`;
    return waiting > 0 ? true : undefined;
  }, "a transaction to wait for a lock");
}

Deno.test("a photo deleted by the sweep while a preview is created from it", async (t) => {
  const platform = await startProjectPlatform("photo_deletion_races");
  const sql = createDatabase(platform.databaseUrl, { max: 4 });
  const sweep = await sql.reserve();
  const preview = await sql.reserve();
  try {
    const user = await signInAnonymously(platform);

    await t.step("deleted first: the preview waits, then answers 404 photo (TC404)", async () => {
      const photoId = await unusedPhoto(platform.admin, user.id);
      await sweep`begin`;
      const forgotten = await sweep`select photo_id from internal.forget_photos(${[photoId]}::uuid[])`;
      assert.equal(forgotten.length, 1);
      const creating = createStoredPreview(preview as unknown as Sql, user.id, photoId).then(
        () => null,
        (error) => error,
      );
      await someoneWaitsForALock(platform.admin);
      await sweep`commit`;
      const error = await creating;
      assert.equal(error?.code, "TC404", String(error));
      assert.equal(error?.hint, "photo");
    });

    await t.step("the preview first: the sweep waits, sees the new story and keeps the photo", async () => {
      const photoId = await unusedPhoto(platform.admin, user.id);
      await preview`begin`;
      const storyId = await createStoredPreview(preview as unknown as Sql, user.id, photoId);
      const sweeping = sweep`select photo_id from internal.forget_photos(${[photoId]}::uuid[])`;
      await someoneWaitsForALock(platform.admin);
      await preview`commit`;
      assert.deepEqual([...await sweeping], []);
      const [story] = await platform.admin`select photo_id from public.stories where id = ${storyId}`;
      assert.equal(story.photo_id, photoId);
    });
  } finally {
    sweep.release();
    preview.release();
    await sql.end();
    await platform.close();
  }
});
