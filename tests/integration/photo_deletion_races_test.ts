/**
 * The retention sweep deleting a photo while a preview is created from it, or while its owner erases their
 * data: real connections, one holding its transaction open (or paused) while another runs. Either the sweep
 * sees the new story and keeps the photo, or the photo is gone first and the preview is refused with 404
 * (TC404), never a foreign-key error; and an erasure waits for a sweep that holds the photo, never deadlocks.
 *
 * Each connection has its own application_name, so a test waits until that very connection is blocked on a
 * lock (pg_stat_activity), not merely until something is (the cron dispatcher often is).
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

/** Waits until the connection named `applicationName` is blocked on a lock. */
function blockedOnALock(admin: postgres.Sql, applicationName: string) {
  return eventually(async () => {
    const [{ waiting }] = await admin<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and application_name = ${applicationName}
         and wait_event_type = 'Lock'`;
    return waiting > 0 ? true : undefined;
  }, `${applicationName} to wait for a lock`);
}

Deno.test("a photo deleted by the sweep while it is used or erased", async (t) => {
  const platform = await startProjectPlatform("photo_deletion_races");
  const connect = (applicationName: string) =>
    createDatabase(platform.databaseUrl, { max: 1, applicationName });
  const sweeper = connect("sweeper");
  const previewer = connect("previewer");
  const eraser = connect("eraser");
  const sweep = await sweeper.reserve();
  const preview = await previewer.reserve();
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
      await blockedOnALock(platform.admin, "previewer");
      await sweep`commit`;
      const error = await creating;
      assert.equal(error?.code, "TC404", String(error));
      assert.equal(error?.hint, "photo");
    });

    await t.step("the preview first: the sweep waits, sees the new story and keeps the photo", async () => {
      const photoId = await unusedPhoto(platform.admin, user.id);
      await preview`begin`;
      const storyId = await createStoredPreview(preview as unknown as Sql, user.id, photoId);
      // postgres.js sends a query when it is awaited or executed: execute() starts it now.
      const sweeping = sweep`select photo_id from internal.forget_photos(${[photoId]}::uuid[])`.execute();
      await blockedOnALock(platform.admin, "sweeper");
      await preview`commit`;
      assert.deepEqual([...await sweeping], []);
      const [story] = await platform.admin`select photo_id from public.stories where id = ${storyId}`;
      assert.equal(story.photo_id, photoId);
    });

    await t.step(
      "the sweep half-way through and an erasure: the erasure waits, neither deadlocks",
      async () => {
        const parent = await signInAnonymously(platform);
        const photoId = await unusedPhoto(platform.admin, parent.id);
        await createStoredPreview(preview as unknown as Sql, parent.id, photoId);
        await platform.admin`update public.stories set status = 'expired' where user_id = ${parent.id}`;
        // Pauses the sweep after it has locked the photo, as it is about to delete it (and then set its
        // stories' photo_id to null): an erasure that deleted those stories first would wait here for the
        // photo while the sweep waited for the stories.
        await platform.admin`
        create function public.pause_sweeper() returns trigger language plpgsql set search_path = '' as $$
        begin
          if pg_catalog.current_setting('application_name') = 'sweeper' then
            perform pg_catalog.pg_advisory_xact_lock(4242);
          end if;
          return old;
        end $$`;
        await platform.admin`create trigger pause_sweeper before delete on public.photos
                             for each row execute function public.pause_sweeper()`;
        const pause = await platform.admin.reserve();
        try {
          await pause`select pg_advisory_lock(4242)`;
          const sweeping = sweep`select photo_id from internal.forget_photos(${[photoId]}::uuid[])`.execute();
          await blockedOnALock(platform.admin, "sweeper");
          const erasing = eraser`select photos, stories from internal.erase_user_data(${parent.id}::uuid)`
            .execute();
          await blockedOnALock(platform.admin, "eraser");
          await pause`select pg_advisory_unlock(4242)`;
          assert.deepEqual([...await sweeping], [{ photo_id: photoId }]);
          assert.deepEqual([...await erasing], [{ photos: 0, stories: 1 }], "the sweep had taken the photo");
        } finally {
          pause.release();
        }
      },
    );
  } finally {
    sweep.release();
    preview.release();
    await Promise.all([sweeper.end(), previewer.end(), eraser.end()]);
    await platform.close();
  }
});
