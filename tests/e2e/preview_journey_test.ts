/**
 * A parent's preview from start to finish on the local platform, through the real path: the previews function
 * queues the cover, pgmq holds the tasks, pg_net calls the page-worker function, pg_cron re-dispatches, and the
 * owner's supabase-js client hears the progress on the private Realtime channel story:<id>.
 */
import assert from "node:assert/strict";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import {
  finishedPreviewStatus,
  requestPreview,
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
  storyObjects,
  userClient,
} from "../support/preview_fixtures.ts";

/** Long enough that the client has subscribed before the cover is done. */
const PROVIDER_LATENCY_MS = 1_500;

interface PageEvent {
  page: number;
  status: string;
  progress: number;
}

Deno.test("a preview is drawn page by page through the queue and its owner hears every step", async () => {
  const platform = await startProjectPlatform("preview_journey", {
    dispatch: "platform",
    functionEnv: { IMAGE_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS) },
  });
  const parent = await signInAnonymously(platform);
  const stranger = await signInAnonymously(platform);
  const supabase = userClient(platform, parent.accessToken);
  const strangerClient = userClient(platform, stranger.accessToken);
  try {
    const photoId = await storePhoto(platform, parent.id);
    const created = await requestPreview(supabase, photoId);
    assert.equal(created.status, "queued");
    const storyId: string = created.preview_id;

    const events: PageEvent[] = [];
    const strangerEvents: unknown[] = [];
    await supabase.realtime.setAuth(parent.accessToken);
    await strangerClient.realtime.setAuth(stranger.accessToken);
    const subscribed = Promise.withResolvers<string>();
    const channel = supabase.channel(`story:${storyId}`, { config: { private: true } })
      .on("broadcast", { event: "page_status" }, ({ payload }) => events.push(payload as PageEvent))
      .subscribe((status) => status === "SUBSCRIBED" && subscribed.resolve(status));
    const strangerStatus = Promise.withResolvers<string>();
    const strangerChannel = strangerClient.channel(`story:${storyId}`, { config: { private: true } })
      .on("broadcast", { event: "page_status" }, ({ payload }) => strangerEvents.push(payload))
      .subscribe((status) => status !== "SUBSCRIBED" && strangerStatus.resolve(status));
    await subscribed.promise;
    assert.equal(
      await strangerStatus.promise,
      "CHANNEL_ERROR",
      "another parent may not listen to this story",
    );

    const status = await finishedPreviewStatus(supabase, storyId);
    assert.equal(status.status, "completed");
    assert.equal(status.progress, 100);
    assert.equal(status.pages_completed, 6);
    assert.equal(status.total_pages, 6);

    // Every drawn page announced itself once, and progress only went up, to 100.
    const done = await eventually(() => {
      const doneEvents = events.filter((event) => event.status === "done");
      return Promise.resolve(doneEvents.length === 6 ? doneEvents : undefined);
    }, "six page-done events");
    assert.deepEqual(done.map((event) => event.page).sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(done[0].page, 0, "the cover is drawn first");
    const progress = done.map((event) => event.progress);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.equal(progress.at(-1), 100);
    assert.deepEqual(strangerEvents, []);

    // The preview: cover and pages 1–5 as short-lived signed, watermarked images; pages 6–10 locked.
    const { data: preview } = await supabase.functions.invoke(`previews/${storyId}`, { method: "GET" });
    const pages = [preview.cover, ...preview.pages];
    const drawn = pages.filter((page: { image_url: string | null }) => page.image_url);
    assert.equal(drawn.length, 6);
    assert.equal(pages.filter((page: { locked: boolean }) => page.locked).length, 5);
    assert.ok(
      drawn.every((page: { illustrated_by: string }) => page.illustrated_by === "talecraft-illustrator"),
    );
    const image = await fetch(drawn[1].image_url);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), "image/jpeg");
    await image.body?.cancel();

    // One hi-res and one watermarked image per drawn page, nothing more.
    const objects = await storyObjects(platform, storyId);
    assert.equal(objects.pages.length, 6);
    assert.equal(objects.previews.length, 6);
    // The work went through the queue and pg_net: every dispatched call reached the worker.
    const [{ calls }] = await platform.admin`select count(*)::int as calls from net._http_response
                                              where status_code = 200`;
    assert.ok(calls >= 6, `${calls} worker calls answered`);

    await supabase.removeChannel(channel);
    await strangerClient.removeChannel(strangerChannel);
  } finally {
    await supabase.removeAllChannels();
    await strangerClient.removeAllChannels();
    await platform.close();
  }
});
