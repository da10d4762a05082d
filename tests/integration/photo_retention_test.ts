/**
 * The photo retention sweep on the local platform: the maintenance function (served, called with the service
 * key as pg_cron's purge-photos job calls it) deletes the photos no story needs any more, their objects, and
 * photo objects left without a row, and records each deletion by id.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { createDatabase } from "../../supabase/functions/_shared/database.ts";
import {
  createStoredPreview,
  signInAnonymously,
  solidJpeg,
  startProjectPlatform,
  storePhoto,
} from "../support/preview_fixtures.ts";

Deno.test("the purge sweep deletes expired previews' photos and unused photos, objects included", async (t) => {
  const platform = await startProjectPlatform("photo_retention");
  const sql = createDatabase(platform.databaseUrl, { max: 2 });
  const service = createClient(platform.url, platform.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const purge = () =>
    fetch(`${platform.url}/functions/v1/maintenance`, {
      method: "POST",
      headers: { authorization: `Bearer ${platform.serviceRoleKey}`, "content-type": "application/json" },
      body: JSON.stringify({ task: "purge_photos" }),
    });
  const upload = async (path: string) => {
    const { error } = await service.storage.from("photos").upload(path, solidJpeg(32, [200, 160, 130]), {
      contentType: "image/jpeg",
    });
    assert.equal(error, null);
  };
  /** A photo object and its row, as upload-photo stores them; its path is the one upload-photo gives it. */
  const storePhotoOf = async (userId: string) => {
    const photoId = await storePhoto(platform, userId);
    return { photoId, path: `${userId}/${photoId}.jpg` };
  };
  const photoObjects = async () =>
    (await platform.admin<{ name: string }[]>`
      select name from storage.objects where bucket_id = 'photos' order by name`).map((row) => row.name);

  try {
    const user = await signInAnonymously(platform);
    const createStory = (photoId: string) => createStoredPreview(sql, user.id, photoId);

    const expired = await storePhotoOf(user.id);
    const expiredStory = await createStory(expired.photoId);
    const live = await storePhotoOf(user.id);
    await createStory(live.photoId);
    const unused = await storePhotoOf(user.id);
    const fresh = await storePhotoOf(user.id);
    const leftover = `${user.id}/failed-upload.jpg`;
    await upload(leftover);
    await platform.admin`update public.stories set status = 'expired' where id = ${expiredStory}`;
    await platform.admin`update public.photos set created_at = now() - interval '2 days'
                          where id in (${expired.photoId}, ${unused.photoId})`;
    await platform.admin`update storage.objects set created_at = now() - interval '2 days'
                          where bucket_id = 'photos' and name in (${expired.path}, ${unused.path}, ${leftover})`;

    await t.step("the hourly job is scheduled", async () => {
      const jobs = await platform.admin`select schedule from cron.job where jobname = 'purge-photos'`;
      assert.deepEqual(jobs.map((job) => job.schedule), ["41 * * * *"]);
    });

    await t.step("due photos lose their rows and objects; the leftover object goes too", async () => {
      const response = await purge();
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        task: "purge_photos",
        photos_deleted: 2,
        by_reason: { preview_expired: 1, book_delivered: 0, never_used: 1 },
        objects_removed: 3,
        upload_attempts_pruned: 0,
      });
      assert.deepEqual(await photoObjects(), [live.path, fresh.path].sort());
      const rows = await platform.admin`select id from public.photos order by id`;
      assert.deepEqual(rows.map((row) => row.id), [live.photoId, fresh.photoId].sort());
      const recorded = await platform
        .admin`select subject_id, reason from internal.deleted_data order by reason`;
      assert.deepEqual(recorded.map((row) => [row.subject_id, row.reason]), [
        [unused.photoId, "never_used"],
        [expired.photoId, "preview_expired"],
      ]);
      const [story] = await platform.admin`select photo_id from public.stories where id = ${expiredStory}`;
      assert.equal(story.photo_id, null, "the expired story stays, without its photo");
    });

    await t.step("a second run finds nothing left to do", async () => {
      const body = await (await purge()).json();
      assert.deepEqual({ deleted: body.photos_deleted, removed: body.objects_removed }, {
        deleted: 0,
        removed: 0,
      });
    });
  } finally {
    await sql.end();
    await platform.close();
  }
});
