/**
 * With IMAGE_PROVIDER=fal, a preview and then a bought book are drawn end to end on the local platform:
 * previews → pgmq → pg_net → page-worker (the real @fal-ai/client, through FAL_PROXY_URL, to the local fake of
 * fal's queue) → the fake's signed webhook → the fal-webhook function → the next pages. Only configuration
 * differs from a hosted project: FAL_PROXY_URL and FAL_WEBHOOK_JWKS_URL point at the fake.
 */
import assert from "node:assert/strict";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import { startFakeFal } from "../support/fake_fal/fake_fal_server.ts";
import {
  finishedPreviewStatus,
  requestPreview,
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
  storyObjects,
  userClient,
} from "../support/preview_fixtures.ts";

const FAL_KEY = "journey-key-id:journey-key-secret";

Deno.test("with IMAGE_PROVIDER=fal a preview and a bought book complete through the webhook function", async () => {
  const fake = await startFakeFal({ credentials: FAL_KEY, runMs: 200 });
  const platform = await startProjectPlatform("fal_book_journey", {
    dispatch: "platform",
    functionEnv: {
      IMAGE_PROVIDER: "fal",
      FAL_KEY,
      FAL_PROXY_URL: fake.proxyUrl,
      FAL_WEBHOOK_JWKS_URL: fake.jwksUrl,
    },
  });
  try {
    const parent = await signInAnonymously(platform);
    const supabase = userClient(platform, parent.accessToken);
    const photoId = await storePhoto(platform, parent.id);
    const created = await requestPreview(supabase, photoId, { style: "photorealistic" });
    const storyId: string = created.preview_id;

    const previewStatus = await finishedPreviewStatus(supabase, storyId);
    assert.equal(previewStatus.status, "completed", JSON.stringify(previewStatus));
    assert.equal(fake.submits.filter((submit) => submit.status === 200).length, 6, "cover and pages 1–5");
    assert.ok(
      fake.deliveries.every((delivery) => delivery.status === 200 || delivery.status === 409),
      "every webhook was accepted (or deferred until the worker had recorded its request)",
    );
    const stored = await storyObjects(platform, storyId);
    assert.equal(stored.previews.length, 6, "six watermarked previews");

    // What the purchase webhook will do once a paid order arrives.
    await platform.admin`select internal.start_print_job(${storyId})`;
    const printJob = await eventually(
      async () => {
        const [job] = await platform.admin<{ status: string; error: string | null }[]>`
        select status::text, error from public.generation_jobs where story_id = ${storyId} and kind = 'print'`;
        return job.status === "completed" || job.status === "failed" ? job : undefined;
      },
      "the print job to finish",
      90_000,
    );
    assert.equal(printJob.status, "completed", printJob.error ?? "");

    const sizes = await platform.admin<{ page_number: number; print_width: number }[]>`
      select p.page_number, r.print_width from public.story_pages p join internal.page_renders r on r.page_id = p.id
       where p.story_id = ${storyId} order by p.page_number`;
    assert.deepEqual(sizes.map((row) => row.print_width), Array(11).fill(4096));

    const [costs] = await platform.admin<{ preview: string; book: string }[]>`
      select preview_cost_usd::text as preview, book_cost_usd::text as book
        from internal.story_costs where story_id = ${storyId}`;
    assert.equal(Number(costs.preview), 0.48, "six 1K images");
    // Five 4K images at $0.16 and six 4x upscales to 4096² px at $0.001 per megapixel.
    const book = 5 * 0.16 + 6 * 0.001 * (4096 * 4096) / 1e6;
    assert.ok(Math.abs(Number(costs.book) - book) < 1e-5, `the book cost ${costs.book}`);
  } finally {
    await platform.close();
    await fake.close();
  }
});
