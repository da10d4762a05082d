/**
 * When a page cannot be drawn, the parent sees it and can act: here the child's photo goes missing from
 * Storage, every attempt fails, the job fails with a message naming the page, and once the photo is back a
 * retry finishes the preview.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import {
  signInAnonymously,
  solidJpeg,
  startProjectPlatform,
  storePhoto,
} from "../support/preview_fixtures.ts";

Deno.test("a preview whose pages cannot be drawn fails visibly, and a retry completes it", async () => {
  const platform = await startProjectPlatform("preview_failure", { dispatch: "platform" });
  const admin = platform.admin;
  // Quick backoff, so the three attempts happen within seconds.
  await admin`update internal.pipeline_settings set retry_base_seconds = 1`;
  const service = createClient(platform.url, platform.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const parent = await signInAnonymously(platform);
  const call = async (path: string, method = "GET", body?: unknown) => {
    const response = await fetch(`${platform.url}/functions/v1/previews${path}`, {
      method,
      headers: { Authorization: `Bearer ${parent.accessToken}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  try {
    const photoId = await storePhoto(platform, parent.id);
    const [{ storage_path: photoPath }] =
      await admin`select storage_path from public.photos where id = ${photoId}`;
    const { error: removed } = await service.storage.from("photos").remove([photoPath]);
    assert.equal(removed, null);

    const created = await call("", "POST", {
      photo_id: photoId,
      child_name: "Ada",
      child_age: 7,
      pronouns: "they",
      theme: "cosmic_dreamer",
      style: "cartoon_3d",
    });
    assert.equal(created.status, 202);
    const storyId: string = created.body.preview_id;

    const failed = await eventually(
      async () => {
        const { body } = await call(`/${storyId}/status`);
        return body.status === "failed" ? body : undefined;
      },
      "the job to fail",
      60_000,
    );
    assert.equal(failed.error, "We could not draw the cover. Please press retry.");
    const [cover] = await admin`select status, attempts from public.story_pages
                                 where story_id = ${storyId} and page_number = 0`;
    assert.deepEqual({ ...cover }, { status: "failed", attempts: 3 });
    const [{ archived }] = await admin`select count(*)::int as archived from pgmq.a_page_tasks`;
    assert.equal(archived, 1, "the cover's task is kept in the archive for the operator");

    // The photo comes back; the parent presses retry.
    const { error: restored } = await service.storage.from("photos").upload(
      photoPath,
      solidJpeg(256, [90, 60, 40]),
      {
        contentType: "image/jpeg",
      },
    );
    assert.equal(restored, null);
    const retried = await call(`/${storyId}/retry`, "POST");
    assert.equal(retried.status, 202);

    const completed = await eventually(
      async () => {
        const { body } = await call(`/${storyId}/status`);
        return body.status === "completed" ? body : undefined;
      },
      "the retried preview to complete",
      60_000,
    );
    assert.equal(completed.progress, 100);
    assert.equal(completed.pages_completed, 6);
  } finally {
    await platform.close();
  }
});
