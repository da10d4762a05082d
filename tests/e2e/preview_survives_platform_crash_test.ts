/**
 * kill -9 the whole platform (its process group: the platform process and every function worker) while pages
 * are being drawn, start it again, and the preview still completes: the tasks reappear when their visibility
 * timeout passes, the expired leases are taken over, and every page ends with exactly one stored image.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { databaseUrl } from "../../platform/cli/settings.ts";
import { servedPlatform } from "../../platform/tests/support/served_platform.ts";
import { createTestDatabase, eventually } from "../../platform/tests/support/test_platform.ts";
import {
  pointDispatchAt,
  repoRoot,
  signInAnonymously,
  storePhoto,
  storyObjects,
} from "../support/preview_fixtures.ts";

const PROVIDER_LATENCY_MS = 3_000;
/** Short, so the killed attempts' tasks come back within seconds (production: two minutes), yet above one attempt. */
const WORKER_TIMEOUT_SECONDS = 10;

Deno.test("a preview completes after the platform is killed mid-generation and started again", async () => {
  const db = await createTestDatabase("crash", { projectDir: repoRoot });
  const admin = postgres(databaseUrl(db.settings, db.database, db.settings.adminUser), {
    onnotice: () => {},
  });
  const platform = await servedPlatform({
    database: db.database,
    settings: db.settings,
    functionEnv: { IMAGE_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS) },
  });
  const { url, keys } = platform;
  const endpoints = { url, anonKey: keys.anonKey, serviceRoleKey: keys.serviceRoleKey, admin };
  try {
    await admin`update internal.pipeline_settings set worker_timeout_seconds = ${WORKER_TIMEOUT_SECONDS}`;
    await pointDispatchAt(admin, url, keys.serviceRoleKey);
    await platform.start();

    const parent = await signInAnonymously(endpoints);
    const photoId = await storePhoto(endpoints, parent.id);
    const created = await fetch(`${url}/functions/v1/previews`, {
      method: "POST",
      headers: { Authorization: `Bearer ${parent.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        photo_id: photoId,
        child_name: "Noah",
        child_age: 6,
        pronouns: "he",
        theme: "ocean_explorer",
        style: "photorealistic",
      }),
    });
    assert.equal(created.status, 202);
    const storyId: string = (await created.json()).preview_id;

    // Kill while the cover is done and the story pages are being drawn.
    await eventually(
      async () => {
        const [{ generating }] = await admin`
        select count(*)::int as generating from public.story_pages
         where story_id = ${storyId} and status = 'generating' and page_number > 0`;
        return generating >= 3 ? true : undefined;
      },
      "pages to be generating",
      30_000,
    );
    await platform.kill();
    // With every process dead the state is frozen: these attempts were cut off.
    const interrupted = (await admin<{ page_number: number }[]>`
      select page_number from public.story_pages where story_id = ${storyId} and status = 'generating'`)
      .map((row) => row.page_number);

    await platform.start();

    const story = await eventually(
      async () => {
        const [row] = await admin`select status from public.stories where id = ${storyId}`;
        return row.status === "completed" || row.status === "failed" ? row : undefined;
      },
      "the preview to complete after the restart",
      90_000,
    );
    assert.equal(story.status, "completed");

    const pages = await admin<{ page_number: number; attempts: number; preview_path: string }[]>`
      select page_number, attempts, preview_path from public.story_pages
       where story_id = ${storyId} and page_number <= 5 order by page_number`;
    assert.ok(pages.every((page) => page.preview_path !== null));
    // Provider calls: one per claim. The pages interrupted by the kill were drawn twice, the others once.
    const providerCalls = pages.reduce((sum, page) => sum + page.attempts, 0);
    console.log(
      `provider calls: ${providerCalls} for 6 pages (${interrupted.length} interrupted by the kill)`,
    );
    for (const page of pages) {
      assert.equal(
        page.attempts,
        interrupted.includes(page.page_number) ? 2 : 1,
        `attempts of page ${page.page_number}`,
      );
    }
    // Each page stored once: the kill hit during the provider's latency, before anything was uploaded.
    const objects = await storyObjects(endpoints, storyId);
    assert.equal(objects.pages.length, 6);
    assert.equal(objects.previews.length, 6);
    const [{ progress }] = await admin`select pages_completed as progress from public.generation_jobs
                                       where story_id = ${storyId}`;
    assert.equal(progress, 6, "progress counted each page once");
  } finally {
    await platform.kill();
    await admin.end();
    await db.drop();
  }
});
