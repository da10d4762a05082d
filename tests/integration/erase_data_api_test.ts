/**
 * erase-data on the local platform, at its boundary: erasing cannot be undone, so only a live session may ask
 * for it. A token whose session was signed out is still valid by its signature until it expires; it is refused.
 */
import assert from "node:assert/strict";
import { signInAnonymously, startProjectPlatform, storePhoto } from "../support/preview_fixtures.ts";

Deno.test("erase-data refuses a signed-out session's token with 401 and erases nothing", async () => {
  const platform = await startProjectPlatform("erase_data_api");
  const erase = (token: string) =>
    fetch(`${platform.url}/functions/v1/erase-data`, {
      method: "POST",
      headers: { apikey: platform.anonKey, authorization: `Bearer ${token}` },
    });
  const photosOf = async (userId: string) => {
    const [{ photos }] = await platform.admin<{ photos: number }[]>`
      select count(*)::int as photos from public.photos where user_id = ${userId}`;
    return photos;
  };
  try {
    const parent = await signInAnonymously(platform);
    await storePhoto(platform, parent.id);
    const signOut = await fetch(`${platform.url}/auth/v1/logout`, {
      method: "POST",
      headers: { apikey: platform.anonKey, authorization: `Bearer ${parent.accessToken}` },
    });
    assert.equal(signOut.status, 204);
    await signOut.body?.cancel();

    const refused = await erase(parent.accessToken);
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), {
      error: { code: "unauthorized", message: "This session has ended; sign in again." },
    });
    assert.equal(await photosOf(parent.id), 1, "nothing was erased");

    const signedIn = await signInAnonymously(platform);
    await storePhoto(platform, signedIn.id);
    const erased = await erase(signedIn.accessToken);
    assert.equal(erased.status, 200);
    assert.deepEqual(await erased.json(), { erased: { photos: 1, stories: 0, files: 1 } });
    assert.equal(await photosOf(signedIn.id), 0);
  } finally {
    await platform.close();
  }
});
