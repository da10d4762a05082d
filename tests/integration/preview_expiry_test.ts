/**
 * Expiring previews on the local platform: the maintenance function (served, called with the service key as
 * pg_cron's job calls it) deletes an expired preview's images through Storage and forgets their paths.
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
  storyObjects,
} from "../support/preview_fixtures.ts";

Deno.test("expired previews lose their images and keep their text", async (t) => {
  const platform = await startProjectPlatform("preview_expiry");
  const sql = createDatabase(platform.databaseUrl, { max: 2 });
  const service = createClient(platform.url, platform.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const runMaintenance = (token: string) =>
    fetch(`${platform.url}/functions/v1/maintenance`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ task: "expire_previews" }),
    });
  try {
    const user = await signInAnonymously(platform);
    const createStory = async () => createStoredPreview(sql, user.id, await storePhoto(platform, user.id));
    /** Stores a drawn page as the worker leaves it: a hi-res and a preview object, the paths recorded. */
    const drawPage = async (storyId: string, pageNumber: number) => {
      const hires = `${storyId}/${pageNumber}/attempt.jpg`;
      const preview = `${user.id}/${storyId}/${pageNumber}-attempt.jpg`;
      for (const [bucket, path] of [["pages", hires], ["previews", preview]]) {
        const { error } = await service.storage.from(bucket).upload(path, solidJpeg(32, [1, 2, 3]), {
          contentType: "image/jpeg",
        });
        assert.equal(error, null);
      }
      await platform.admin`update public.story_pages set status = 'done', preview_path = ${preview}
                            where story_id = ${storyId} and page_number = ${pageNumber}`;
      await platform.admin`update internal.page_renders r set hires_path = ${hires} from public.story_pages p
                            where p.id = r.page_id and p.story_id = ${storyId} and p.page_number = ${pageNumber}`;
    };

    const expiring = await createStory();
    const current = await createStory();
    for (const storyId of [expiring, current]) {
      await drawPage(storyId, 0);
      await drawPage(storyId, 1);
    }
    // An object a crashed attempt left behind, recorded nowhere.
    await service.storage.from("pages").upload(`${expiring}/2/crashed.jpg`, solidJpeg(32, [9, 9, 9]), {
      contentType: "image/jpeg",
    });
    await platform
      .admin`update public.stories set expires_at = now() - interval '1 minute' where id = ${expiring}`;

    await t.step("the hourly job is scheduled", async () => {
      const jobs = await platform.admin`select schedule from cron.job where jobname = 'expire-previews'`;
      assert.deepEqual(jobs.map((job) => job.schedule), ["17 * * * *"]);
    });

    await t.step("the maintenance function refuses anything but the service key", async () => {
      for (const token of [user.accessToken, platform.anonKey, "nonsense"]) {
        const response = await runMaintenance(token);
        assert.equal(response.status, 401);
        assert.equal((await response.json()).error.code, "unauthorized");
      }
      assert.equal((await storyObjects(platform, expiring)).pages.length, 3);
    });

    await t.step("an expired preview's objects are deleted and its paths forgotten", async () => {
      const response = await runMaintenance(platform.serviceRoleKey);
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.expired, 1);
      assert.equal(body.objects_removed, 5);

      assert.deepEqual(await storyObjects(platform, expiring), { pages: [], previews: [] });
      const [story] = await platform.admin`select status from public.stories where id = ${expiring}`;
      assert.equal(story.status, "expired");
      const remembered = await platform.admin`
        select p.page_number from public.story_pages p join internal.page_renders r on r.page_id = p.id
         where p.story_id = ${expiring} and (p.preview_path is not null or r.hires_path is not null)`;
      assert.equal(remembered.length, 0);
      const texts = await platform
        .admin`select body_text from public.story_pages where story_id = ${expiring}`;
      assert.equal(texts.length, 11, "the story's text stays");
    });

    await t.step("a preview that has not expired keeps its images", async () => {
      const objects = await storyObjects(platform, current);
      assert.equal(objects.pages.length, 2);
      assert.equal(objects.previews.length, 2);
      const [story] = await platform.admin`select status from public.stories where id = ${current}`;
      assert.notEqual(story.status, "expired");
    });

    await t.step("a second run finds nothing left to do", async () => {
      const body = await (await runMaintenance(platform.serviceRoleKey)).json();
      assert.deepEqual({ expired: body.expired, objects_removed: body.objects_removed }, {
        expired: 0,
        objects_removed: 0,
      });
    });
  } finally {
    await sql.end();
    await platform.close();
  }
});
