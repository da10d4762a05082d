/**
 * A parent's data from the first upload to its erasure, on the local platform through the real path: the photo
 * is checked by the face detector and stored, a preview is drawn from it through the queue, and erase-data then
 * removes every file and row of theirs, while another parent's data stays. Every log line of the run (the
 * platform's and the functions' own output) is kept and searched for the child's name.
 */
import assert from "node:assert/strict";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import { jsonLogger } from "../../platform/server/log.ts";
import { oneFace } from "../support/photo_fixtures.ts";
import {
  type SignedInUser,
  signInAnonymously,
  startProjectPlatform,
  storyObjects,
} from "../support/preview_fixtures.ts";

// Unusual enough that any occurrence in a log is this child's name and nothing else.
const CHILD_NAME = "Quillonia";

Deno.test("a parent uploads, previews and erases; nothing of theirs is left and no log names the child", async () => {
  const logLines: string[] = [];
  const platform = await startProjectPlatform("photo_to_erasure", {
    dispatch: "platform",
    log: jsonLogger((line) => logLines.push(line)),
  });
  const call = (user: SignedInUser, name: string, init: RequestInit = {}) =>
    fetch(`${platform.url}/functions/v1/${name}`, {
      ...init,
      headers: { authorization: `Bearer ${user.accessToken}`, apikey: platform.anonKey, ...init.headers },
    });
  const uploadPhoto = async (user: SignedInUser) => {
    const body = new FormData();
    body.append("file", new File([(await oneFace()).jpeg], "photo.jpg"));
    const response = await call(user, "upload-photo", { method: "POST", body });
    assert.equal(response.status, 201);
    return (await response.json()).photo_id as string;
  };
  const createPreview = async (user: SignedInUser, photoId: string) => {
    const response = await call(user, "previews", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        photo_id: photoId,
        child_name: CHILD_NAME,
        child_age: 6,
        pronouns: "they",
        theme: "cosmic_dreamer",
        style: "cartoon_3d",
        dedication: `For ${CHILD_NAME}, who reaches for the stars`,
      }),
    });
    assert.equal(response.status, 202);
    return (await response.json()).preview_id as string;
  };
  const waitUntilDrawn = (user: SignedInUser, previewId: string) =>
    eventually(
      async () => {
        const status = await (await call(user, `previews/${previewId}/status`)).json();
        return status.status === "completed" ? status : undefined;
      },
      "the preview to be drawn",
      60_000,
    );
  const holdings = async (userId: string) => {
    const [row] = await platform.admin<{ photos: number; stories: number; files: number }[]>`
      select (select count(*)::int from public.photos where user_id = ${userId}) as photos,
             (select count(*)::int from public.stories where user_id = ${userId}) as stories,
             (select count(*)::int from internal.user_storage_objects(${userId}::uuid)) as files`;
    return row;
  };

  try {
    const parent = await signInAnonymously(platform);
    const neighbour = await signInAnonymously(platform);
    const previewId = await createPreview(parent, await uploadPhoto(parent));
    const neighboursPreview = await createPreview(neighbour, await uploadPhoto(neighbour));
    await waitUntilDrawn(parent, previewId);
    await waitUntilDrawn(neighbour, neighboursPreview);
    const before = await holdings(parent.id);
    // The photo, and a hi-res and a watermarked image for each of the six drawn pages.
    assert.deepEqual(before, { photos: 1, stories: 1, files: 13 });

    const erased = await call(parent, "erase-data", { method: "POST" });
    assert.equal(erased.status, 200);
    assert.deepEqual(await erased.json(), { erased: { photos: 1, stories: 1, files: 13 } });
    assert.deepEqual(await holdings(parent.id), { photos: 0, stories: 0, files: 0 });
    // Counted again without going through the stories, which are gone: no page or preview of the story remains.
    assert.deepEqual(await storyObjects(platform, previewId), { pages: [], previews: [] });
    assert.equal((await call(parent, `previews/${previewId}`)).status, 404);
    assert.deepEqual(await holdings(neighbour.id), before, "another parent's data is untouched");

    const again = await call(parent, "erase-data", { method: "POST" });
    assert.deepEqual(await again.json(), { erased: { photos: 0, stories: 0, files: 0 } });

    const [recorded] = await platform.admin`
      select details from internal.deleted_data where subject = 'user_data' and subject_id = ${parent.id}`;
    assert.deepEqual(Object.keys(recorded.details).sort(), [
      "orders_anonymised",
      "photos",
      "stories",
      "upload_attempts",
    ]);

    assert.ok(logLines.some((line) => line.includes('"function_log"')), "the functions' output was captured");
    const naming = logLines.filter((line) => line.toLowerCase().includes(CHILD_NAME.toLowerCase()));
    assert.deepEqual(naming, [], "no log line names the child");
  } finally {
    await platform.close();
  }
});
