/**
 * The page worker against real Postgres (the project's migrations) and the platform's Storage, with an injected
 * image provider: completion, provider errors, duplicate deliveries and a stale lease.
 */
import assert from "node:assert/strict";
import { createDatabase } from "../../supabase/functions/_shared/database.ts";
import type {
  GeneratedImage,
  ImageProvider,
  PageImageRequest,
} from "../../supabase/functions/_shared/images/image_provider.ts";
import { ImageProviderError } from "../../supabase/functions/_shared/images/image_provider.ts";
import { readJpegHeader } from "../../supabase/functions/_shared/images/image_header.ts";
import { createServiceObjectStore } from "../../supabase/functions/_shared/storage.ts";
import { themeStoryContent } from "../../supabase/functions/_shared/story_content/theme_catalogue.ts";
import { watermarkPreviewImage } from "../../supabase/functions/_shared/page_results.ts";
import { createPageWorkerHandler } from "../../supabase/functions/page-worker/handler.ts";
import { createPageStore } from "../../supabase/functions/_shared/page_store.ts";
import {
  createStoredPreview,
  deliverPageTask,
  MIA_IN_OCEAN_EXPLORER,
  type PageTaskMessage,
  queuedPageTask,
  signInAnonymously,
  solidJpeg,
  startProjectPlatform,
  storePhoto,
  storyObjects,
} from "../support/preview_fixtures.ts";

type Generate = (request: PageImageRequest) => Promise<GeneratedImage>;

const PAGE_IMAGE: GeneratedImage = {
  bytes: solidJpeg(1024, [90, 140, 200]),
  contentType: "image/jpeg",
  width: 1024,
  height: 1024,
  provider: "test-provider",
  model: "solid-colour",
};

Deno.test("page-worker with an injected provider, on the project's database and Storage", async (t) => {
  const platform = await startProjectPlatform("page_worker");
  const sql = createDatabase(platform.databaseUrl, { max: 4 });
  let generate: Generate = () => Promise.resolve(PAGE_IMAGE);
  const providerCalls: PageImageRequest[] = [];
  const provider: ImageProvider = {
    name: "test",
    generate: (request) => {
      providerCalls.push(request);
      return generate(request);
    },
  };
  const worker = createPageWorkerHandler({
    pages: createPageStore(sql),
    objects: createServiceObjectStore(platform.url, platform.serviceRoleKey),
    provider,
    storyContent: themeStoryContent,
    watermark: watermarkPreviewImage,
    config: {
      serviceRoleKey: platform.serviceRoleKey,
      referenceUrlTtlSeconds: 3600,
      providerTimeoutMs: 30_000,
    },
    log: () => {},
  });
  const deliver = (task: PageTaskMessage) => deliverPageTask(worker, platform.serviceRoleKey, task);

  const user = await signInAnonymously(platform);
  const createStory = async () =>
    await createStoredPreview(sql, user.id, await storePhoto(platform, user.id), MIA_IN_OCEAN_EXPLORER);
  const taskOf = (storyId: string, pageNumber: number) => queuedPageTask(platform.admin, storyId, pageNumber);
  const pageRow = async (pageId: string) => {
    const [row] = await platform.admin<{ status: string; attempts: number; last_error: string | null }[]>`
      select status, attempts, last_error from public.story_pages where id = ${pageId}`;
    return row;
  };

  // The first steps follow one story: cover, duplicate delivery, then a story page.
  let storyId = "";
  let cover = { msg_id: 0, page_id: "" };
  let objects = { pages: [] as string[], previews: [] as string[] };
  try {
    await t.step(
      "the cover is drawn, stored once hi-res and once watermarked, and pages 1–5 are queued",
      async () => {
        storyId = await createStory();
        cover = await taskOf(storyId, 0);
        assert.equal(await deliver(cover), "completed");

        objects = await storyObjects(platform, storyId);
        assert.equal(objects.pages.length, 1);
        assert.match(objects.pages[0], new RegExp(`^${storyId}/0/[0-9a-f-]{36}\\.jpg$`));
        assert.equal(objects.previews.length, 1);
        assert.match(objects.previews[0], new RegExp(`^${user.id}/${storyId}/0-[0-9a-f-]{36}\\.jpg$`));

        const [page] = await platform.admin`
        select p.status, p.preview_path, r.hires_path, r.provider, r.model
          from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = ${cover.page_id}`;
        assert.deepEqual(
          { ...page },
          {
            status: "done",
            preview_path: objects.previews[0],
            hires_path: objects.pages[0],
            provider: "test-provider",
            model: "solid-colour",
          },
        );
        const [job] = await platform.admin`select pages_completed, total_pages from public.generation_jobs
                                          where story_id = ${storyId}`;
        assert.deepEqual({ ...job }, { pages_completed: 1, total_pages: 6 });
        const queued = await platform.admin`select page_number from public.story_pages
                                           where story_id = ${storyId} and status = 'queued' order by page_number`;
        assert.deepEqual(queued.map((row) => row.page_number), [1, 2, 3, 4, 5]);

        // The stored preview is the watermarked one, at preview size.
        const download = await fetch(
          `${platform.url}/storage/v1/object/previews/${objects.previews[0]}`,
          { headers: { authorization: `Bearer ${user.accessToken}`, apikey: platform.anonKey } },
        );
        assert.equal(download.status, 200);
        const previewBytes = new Uint8Array(await download.arrayBuffer());
        assert.equal(readJpegHeader(previewBytes).width, 1024);
        assert.notDeepEqual(previewBytes, PAGE_IMAGE.bytes);
      },
    );

    await t.step("a duplicate delivery of the finished task stores nothing and counts nothing", async () => {
      assert.equal(await deliver(cover), "not_queued");
      assert.deepEqual(await storyObjects(platform, storyId), objects);
      const [again] = await platform.admin`select pages_completed from public.generation_jobs
                                              where story_id = ${storyId}`;
      assert.equal(again.pages_completed, 1);
    });

    await t.step(
      "a story page gets the photo and the cover as signed references the provider can fetch",
      async () => {
        const pageOne = await taskOf(storyId, 1);
        providerCalls.length = 0;
        assert.equal(await deliver(pageOne), "completed");
        const [request] = providerCalls;
        assert.equal(request.size, 1024);
        assert.ok(!request.prompt.includes("Mia"));
        assert.deepEqual(request.references.map((ref) => ref.role), ["child_photo", "character_anchor"]);
        assert.deepEqual(request.references[0].faceBox, { x: 64, y: 48, width: 128, height: 150 });
        for (const reference of request.references) {
          const fetched = await fetch(reference.url);
          assert.equal(fetched.status, 200, `${reference.role} is fetchable without credentials`);
          await fetched.body?.cancel();
        }
        const anchor = await fetch(request.references[1].url);
        assert.deepEqual(
          new Uint8Array(await anchor.arrayBuffer()),
          PAGE_IMAGE.bytes,
          "the anchor is the hi-res cover",
        );
      },
    );

    await t.step("a retryable provider error puts the page back in the queue after a backoff", async () => {
      const storyId = await createStory();
      const task = await taskOf(storyId, 0);
      generate = () =>
        Promise.reject(
          new ImageProviderError("rate_limited", "the provider is busy", {
            retryable: true,
            retryAfterMs: 30_000,
          }),
        );
      assert.equal(await deliver(task), "retrying");
      assert.deepEqual({ ...await pageRow(task.page_id) }, {
        status: "queued",
        attempts: 0,
        last_error: "rate_limited: the provider is busy",
      }, "a rate-limited attempt never reached the model, so it is given back");
      const [message] = await platform.admin<{ invisible_for: number }[]>`
        select extract(epoch from vt - now())::float8 as invisible_for from pgmq.q_page_tasks where msg_id = ${task.msg_id}`;
      assert.ok(
        message.invisible_for > 20,
        `the task comes back after the provider's hint (${message.invisible_for} s)`,
      );
      assert.deepEqual(await storyObjects(platform, storyId), { pages: [], previews: [] });
    });

    await t.step(
      "a provider error that retrying will not fix fails the page, the job and archives the task",
      async () => {
        const storyId = await createStory();
        const task = await taskOf(storyId, 0);
        generate = () =>
          Promise.reject(
            new ImageProviderError("provider_error", "the model refused the input", { retryable: false }),
          );
        assert.equal(await deliver(task), "failed");
        assert.equal((await pageRow(task.page_id)).status, "failed");
        const [job] = await platform
          .admin`select status, error from public.generation_jobs where story_id = ${storyId}`;
        assert.equal(job.status, "failed");
        assert.match(job.error, /cover/);
        const archived = await platform.admin`select 1 from pgmq.a_page_tasks where msg_id = ${task.msg_id}`;
        assert.equal(archived.length, 1);
        const queued = await platform.admin`select 1 from pgmq.q_page_tasks where msg_id = ${task.msg_id}`;
        assert.equal(queued.length, 0);
      },
    );

    await t.step(
      "an attempt that outlived its lease deletes what it uploaded and completes nothing",
      async () => {
        const storyId = await createStory();
        const task = await taskOf(storyId, 0);
        // While the first attempt draws, its lease runs out and the redelivered task is claimed by a second one.
        generate = async () => {
          await platform.admin`update internal.page_renders set lease_expires_at = now() - interval '1 second'
                              where page_id = ${task.page_id}`;
          const [second] = await platform
            .admin`select outcome from internal.claim_page(${task.page_id}, ${task.msg_id})`;
          assert.equal(second.outcome, "claimed");
          return PAGE_IMAGE;
        };
        assert.equal(await deliver(task), "stale");
        assert.deepEqual(await storyObjects(platform, storyId), { pages: [], previews: [] });
        const page = await pageRow(task.page_id);
        assert.equal(page.status, "generating", "the page stays with the second attempt");
        assert.equal(page.attempts, 2);
        const [job] = await platform
          .admin`select pages_completed from public.generation_jobs where story_id = ${storyId}`;
        assert.equal(job.pages_completed, 0);
      },
    );
  } finally {
    await sql.end();
    await platform.close();
  }
});
