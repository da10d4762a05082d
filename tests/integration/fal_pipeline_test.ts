/**
 * The fal pipeline on the project's database and Storage, against the local fake of fal's queue: the page
 * worker submits through the real @fal-ai/client (via its proxy setting), the fake delivers signed webhooks to
 * the fal-webhook handler, and the sweep asks about lost ones. Each step is one case of the list.
 */
import assert from "node:assert/strict";
import { createDatabase } from "../../supabase/functions/_shared/database.ts";
import {
  createFalImageProvider,
  type FalProviderConfig,
} from "../../supabase/functions/_shared/fal/fal_image_provider.ts";
import { DEFAULT_FAL_PRICES } from "../../supabase/functions/_shared/fal/fal_pricing.ts";
import { createFalQueue } from "../../supabase/functions/_shared/fal/fal_queue.ts";
import { createWebhookVerifier } from "../../supabase/functions/_shared/fal/webhook_signature.ts";
import { PRINT_SIDE_PX } from "../../supabase/functions/_shared/images/image_provider.ts";
import { createPageStore } from "../../supabase/functions/_shared/page_store.ts";
import { watermarkPreviewImage } from "../../supabase/functions/_shared/page_results.ts";
import {
  createProviderCallFinisher,
  FINISHER_LIMITS,
} from "../../supabase/functions/_shared/provider_call_finisher.ts";
import { createServiceObjectStore } from "../../supabase/functions/_shared/storage.ts";
import { SOFTENED_PREAMBLE } from "../../supabase/functions/_shared/story_content/prompt.ts";
import { themeStoryContent } from "../../supabase/functions/_shared/story_content/theme_catalogue.ts";
import { createFalWebhookHandler } from "../../supabase/functions/fal-webhook/handler.ts";
import { sweepProviderCalls } from "../../supabase/functions/maintenance/provider_sweep.ts";
import { createPageWorkerHandler } from "../../supabase/functions/page-worker/handler.ts";
import { startFakeFal } from "../support/fake_fal/fake_fal_server.ts";
import {
  createStoredPreview,
  deliverPageTask,
  MIA_IN_OCEAN_EXPLORER,
  type PageTaskMessage,
  queuedPageTask,
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
  storyObjects,
} from "../support/preview_fixtures.ts";

const FAL_KEY = "test-key-id:test-key-secret";
const NANO_BANANA = "fal-ai/nano-banana-2/edit";

Deno.test("fal pipeline: worker, signed webhooks and the sweep, against a local fake of fal's queue", async (t) => {
  const platform = await startProjectPlatform("fal_pipeline");
  const fake = await startFakeFal({ credentials: FAL_KEY });
  const sql = createDatabase(platform.databaseUrl, { max: 6 });
  const pages = createPageStore(sql);
  const objects = createServiceObjectStore(platform.url, platform.serviceRoleKey);
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  // The webhook handler behind a real port, since fal (here the fake) delivers over HTTP.
  let webhookHandler: (request: Request) => Promise<Response> = () => Promise.resolve(new Response(null));
  const receiver = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (request) => webhookHandler(request),
  );
  const webhookUrl = `http://127.0.0.1:${receiver.addr.port}/functions/v1/fal-webhook`;

  const providerConfig = (overrides: Partial<FalProviderConfig> = {}): FalProviderConfig => ({
    queue: createFalQueue({ credentials: FAL_KEY, proxyUrl: fake.proxyUrl, outputLifetime: "1d" }),
    webhookUrl,
    models: { photorealistic: NANO_BANANA, cartoon_3d: NANO_BANANA },
    upscaleModel: "fal-ai/seedvr/upscale/image",
    printResolution: "native",
    prices: DEFAULT_FAL_PRICES,
    pulidIdWeight: 1,
    ...overrides,
  });
  const provider = createFalImageProvider(providerConfig());
  const finisher = createProviderCallFinisher({
    pages,
    objects,
    provider,
    watermark: watermarkPreviewImage,
    fetch: globalThis.fetch,
    log,
    config: { referenceUrlTtlSeconds: 3600, ...FINISHER_LIMITS },
  });
  webhookHandler = createFalWebhookHandler({
    verifier: createWebhookVerifier({ jwksUrl: fake.jwksUrl }),
    finisher,
    log,
  });
  const workerWith = (options: { providerTimeoutMs?: number; printResolution?: "native" | "upscale" } = {}) =>
    createPageWorkerHandler({
      pages,
      objects,
      provider: createFalImageProvider(
        providerConfig({ printResolution: options.printResolution ?? "native" }),
      ),
      storyContent: themeStoryContent,
      watermark: watermarkPreviewImage,
      config: {
        serviceRoleKey: platform.serviceRoleKey,
        referenceUrlTtlSeconds: 3600,
        providerTimeoutMs: options.providerTimeoutMs ?? 30_000,
      },
      log,
    });
  const worker = workerWith();

  const user = await signInAnonymously(platform);
  const createStory = async () =>
    await createStoredPreview(sql, user.id, await storePhoto(platform, user.id), MIA_IN_OCEAN_EXPLORER);
  const taskOf = (storyId: string, pageNumber: number) => queuedPageTask(platform.admin, storyId, pageNumber);
  const deliverWith = (handler: (request: Request) => Promise<Response>, task: PageTaskMessage) =>
    deliverPageTask(handler, platform.serviceRoleKey, task);
  const deliver = (task: PageTaskMessage) => deliverWith(worker, task);
  const pageRow = async (pageId: string) => {
    const [row] = await platform.admin<
      { status: string; attempts: number; last_error: string | null; content_refusals: number }[]
    >`
      select p.status, p.attempts, p.last_error, r.content_refusals
        from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = ${pageId}`;
    return row;
  };
  const lastCall = async (pageId: string) => {
    const [row] = await platform.admin<{
      request_id: string;
      status: string;
      stage: string;
      model: string;
      resolution: string;
      width: number | null;
      height: number | null;
      cost_usd: string;
      latency_ms: number | null;
      error_code: string | null;
    }[]>`
      select request_id, status::text, stage, model, resolution, width, height, cost_usd::text, latency_ms,
             error_code
        from internal.provider_calls where page_id = ${pageId} order by submitted_at desc limit 1`;
    return row;
  };
  /** Submits the page and waits until fal has answered (webhook delivered, or dropped). */
  const drawThroughFal = async (task: PageTaskMessage, handler = worker) => {
    const outcome = await deliverWith(handler, task);
    assert.equal(
      outcome,
      "submitted",
      outcome === "submitted" ? "" : (await pageRow(task.page_id)).last_error!,
    );
    const call = await lastCall(task.page_id);
    await fake.settled(call.request_id);
    return call.request_id;
  };
  const postWebhook = async (signed: { url: string; headers: Headers; body: Uint8Array<ArrayBuffer> }) => {
    const response = await fetch(signed.url, { method: "POST", headers: signed.headers, body: signed.body });
    await response.body?.cancel();
    return response.status;
  };
  const vtSecondsOf = async (msgId: number) => {
    const [row] = await platform.admin<{ seconds: number }[]>`
      select extract(epoch from vt - now())::float8 as seconds from pgmq.q_page_tasks where msg_id = ${msgId}`;
    return row.seconds;
  };

  const bookStory = await createStory();
  try {
    await t.step(
      "the cover is submitted with the child's photo only, as a signed URL, and the webhook stores it",
      async () => {
        const cover = await taskOf(bookStory, 0);
        await drawThroughFal(cover);
        assert.equal((await pageRow(cover.page_id)).status, "done");

        const submit = fake.submits.at(-1)!;
        const input = submit.input as { image_urls: string[]; resolution: string; output_format: string };
        assert.equal(submit.endpoint, NANO_BANANA);
        assert.equal(input.image_urls.length, 1, "no anchor exists for the cover");
        assert.match(input.image_urls[0], /\/storage\/v1\/object\/sign\/photos\//);
        assert.ok(submit.imageFetches.every((fetched) => fetched.ok), "fal could fetch the signed photo");
        assert.equal(input.resolution, "1K");
        assert.equal(submit.webhookUrl, webhookUrl);
        assert.equal(
          JSON.parse(submit.headers["x-fal-object-lifecycle-preference"]).expiration_duration_seconds,
          86_400,
          "fal keeps the output a day at most",
        );

        const call = await lastCall(cover.page_id);
        assert.equal(call.status, "completed");
        assert.deepEqual([call.width, call.height], [1024, 1024]);
        assert.equal(Number(call.cost_usd), 0.08);
        assert.ok(call.latency_ms !== null && call.latency_ms >= 0);
        const stored = await storyObjects(platform, bookStory);
        assert.equal(stored.pages.length, 1);
        assert.equal(stored.previews.length, 1, "a watermarked preview was made");
      },
    );

    await t.step(
      "a story page is submitted with the photo and the cover as the character anchor",
      async () => {
        const page = await taskOf(bookStory, 1);
        await drawThroughFal(page);
        const input = fake.submits.at(-1)!.input as { image_urls: string[] };
        assert.equal(input.image_urls.length, 2);
        assert.match(input.image_urls[0], /\/sign\/photos\//);
        assert.match(input.image_urls[1], /\/sign\/pages\//, "the cover's render is the second reference");
        assert.equal((await pageRow(page.page_id)).status, "done");
      },
    );

    await t.step(
      "a webhook with an invalid signature, an old timestamp or an unknown key is refused with 401 and changes nothing",
      async () => {
        fake.plan(NANO_BANANA, { kind: "drop_webhook" });
        const page = await taskOf(bookStory, 2);
        const requestId = await drawThroughFal(page);
        for (
          const tamper of [
            { badSignatureHex: true },
            { flipBodyByte: true },
            { timestampOffsetSeconds: -301 },
            { unknownKey: true },
          ]
        ) {
          assert.equal(
            await postWebhook(await fake.signedWebhook(requestId, tamper)),
            401,
            JSON.stringify(tamper),
          );
        }
        assert.equal((await pageRow(page.page_id)).status, "generating");
        assert.equal((await lastCall(page.page_id)).status, "submitted");
        assert.equal((await storyObjects(platform, bookStory)).pages.length, 2);

        assert.equal(
          await postWebhook(await fake.signedWebhook(requestId)),
          200,
          "the genuine one is accepted",
        );
        assert.equal((await pageRow(page.page_id)).status, "done");
      },
    );

    await t.step("the same webhook delivered five times at once stores one image", async () => {
      fake.plan(NANO_BANANA, { kind: "duplicate_webhook", times: 5 });
      const page = await taskOf(bookStory, 3);
      const requestId = await drawThroughFal(page);
      const answered = fake.deliveries.filter((delivery) => delivery.requestId === requestId);
      assert.ok(answered.length >= 5);
      assert.ok(answered.every((delivery) => delivery.status === 200), "every copy is answered 200");
      const stored = await storyObjects(platform, bookStory);
      assert.equal(stored.pages.filter((path) => path.startsWith(`${bookStory}/3/`)).length, 1);
      const [{ completions }] = await platform.admin<{ completions: number }[]>`
        select pages_completed as completions from public.generation_jobs where story_id = ${bookStory}`;
      assert.equal(completions, 4, "the page was counted once");
    });

    await t.step("429 puts the page back after the Retry-After the provider asked for", async () => {
      fake.plan(NANO_BANANA, { kind: "rate_limited", retryAfterSeconds: 40 });
      const page = await taskOf(bookStory, 4);
      assert.equal(await deliver(page), "retrying");
      const row = await pageRow(page.page_id);
      assert.equal(row.status, "queued");
      assert.match(row.last_error!, /^rate_limited/);
      const seconds = await vtSecondsOf(page.msg_id);
      assert.ok(seconds > 35 && seconds <= 40, `the task comes back after ~40 s (${seconds})`);
    });

    await t.step("a 500 at submission is retried with backoff", async () => {
      fake.plan(NANO_BANANA, { kind: "server_error", status: 500 });
      const page = await taskOf(bookStory, 4);
      assert.equal(await deliver(page), "retrying");
      assert.match((await pageRow(page.page_id)).last_error!, /^provider_error/);
    });

    await t.step("a submission that times out is retried", async () => {
      fake.plan(NANO_BANANA, { kind: "hang" });
      const page = await taskOf(bookStory, 4);
      await platform.admin`update public.story_pages set attempts = 0 where id = ${page.page_id}`;
      assert.equal(await deliverWith(workerWith({ providerTimeoutMs: 300 }), page), "retrying");
      assert.match((await pageRow(page.page_id)).last_error!, /^timeout/);
    });

    await t.step("an ERROR webhook feeds the retry policy", async () => {
      fake.plan(NANO_BANANA, { kind: "error_result", status: 500, detail: "runner crashed" });
      const page = await taskOf(bookStory, 4);
      await platform.admin`update public.story_pages set attempts = 0 where id = ${page.page_id}`;
      await drawThroughFal(page);
      const row = await pageRow(page.page_id);
      assert.equal(row.status, "queued", "a server-side error is retried");
      assert.match(row.last_error!, /^provider_error: fal answered 500/);
      const call = await lastCall(page.page_id);
      assert.equal(call.status, "failed");
      assert.equal(Number(call.cost_usd), 0);
    });

    await t.step("a webhook that never arrives is recovered by the sweep", async () => {
      fake.plan(NANO_BANANA, { kind: "drop_webhook" });
      const page = await taskOf(bookStory, 4);
      await drawThroughFal(page);
      assert.equal((await pageRow(page.page_id)).status, "generating");
      const sweep = () => sweepProviderCalls({ lateCalls: pages.lateCalls, provider, finisher, log }, 10);
      assert.equal((await sweep()).checked, 0, "a request is not asked about before it is late");

      await platform.admin`
        update internal.provider_calls set submitted_at = now() - interval '6 minutes'
         where page_id = ${page.page_id} and status = 'submitted'`;
      const result = await sweep();
      assert.equal(result.finished, 1);
      assert.equal((await pageRow(page.page_id)).status, "done");
    });

    await t.step(
      "a request unanswered past the abandon period is cancelled and its page retried",
      async () => {
        fake.plan(NANO_BANANA, { kind: "drop_webhook" });
        const page = await taskOf(bookStory, 5);
        await drawThroughFal(page);
        await platform.admin`
        update internal.provider_calls set submitted_at = now() - interval '2 hours'
         where page_id = ${page.page_id} and status = 'submitted'`;
        const result = await sweepProviderCalls({ lateCalls: pages.lateCalls, provider, finisher, log }, 10);
        assert.equal(result.abandoned, 1);
        assert.equal((await lastCall(page.page_id)).error_code, "timeout");
        assert.equal((await pageRow(page.page_id)).status, "queued");

        // Drawn on its next delivery.
        await drawThroughFal(await taskOf(bookStory, 5));
        assert.equal((await pageRow(page.page_id)).status, "done");
      },
    );

    await t.step(
      "a content refusal is retried once with a softened prompt, then the page is flagged",
      async () => {
        const story = await createStory();
        fake.plan(NANO_BANANA, { kind: "content_refused" });
        const cover = await taskOf(story, 0);
        await drawThroughFal(cover);
        let row = await pageRow(cover.page_id);
        assert.equal(row.status, "queued");
        assert.equal(row.content_refusals, 1);
        assert.ok(!(fake.submits.at(-1)!.input as { prompt: string }).prompt.startsWith(SOFTENED_PREAMBLE));

        fake.plan(NANO_BANANA, { kind: "content_refused" });
        await drawThroughFal(await taskOf(story, 0));
        assert.ok(
          (fake.submits.at(-1)!.input as { prompt: string }).prompt.startsWith(SOFTENED_PREAMBLE),
          "the retry asks in softened terms",
        );
        row = await pageRow(cover.page_id);
        assert.equal(row.status, "flagged");
        const [job] = await platform.admin<{ status: string; current_step: string; error: string }[]>`
        select status::text, current_step, error from public.generation_jobs where story_id = ${story}`;
        assert.equal(job.status, "failed");
        assert.equal(job.current_step, "held for review");
        assert.match(job.error, /reviewing the cover/);
        await platform.admin`delete from public.stories where id = ${story}`;
      },
    );

    await t.step(
      "a bought book reaches print resolution on every page: drawn pages upscaled, new ones at 4K",
      async () => {
        const [{ status }] = await platform.admin<{ status: string }[]>`
        select status::text from public.stories where id = ${bookStory}`;
        assert.equal(status, "completed", "the preview finished first");
        await platform.admin`select internal.start_print_job(${bookStory})`;

        const upscaleWorker = workerWith({ printResolution: "upscale" });
        for (let pageNumber = 0; pageNumber <= 10; pageNumber++) {
          const task = await taskOf(bookStory, pageNumber);
          // Page 10 goes the other configured way: drawn at 1K, then upscaled.
          const requestId = await drawThroughFal(task, pageNumber === 10 ? upscaleWorker : worker);
          if (pageNumber === 10) {
            const next = await lastCall(task.page_id);
            assert.notEqual(next.request_id, requestId);
            assert.equal(next.stage, "upscale");
            await fake.settled(next.request_id);
          }
        }
        const renders = await platform.admin<
          { page_number: number; status: string; print_width: number; print_height: number }[]
        >`
        select p.page_number, p.status::text, r.print_width, r.print_height
          from public.story_pages p join internal.page_renders r on r.page_id = p.id
         where p.story_id = ${bookStory} order by p.page_number`;
        assert.equal(renders.length, 11);
        for (const render of renders) {
          assert.equal(render.status, "done", `page ${render.page_number}`);
          assert.ok(
            render.print_width >= PRINT_SIDE_PX && render.print_height >= PRINT_SIDE_PX,
            `page ${render.page_number} is ${render.print_width} px`,
          );
        }
        const models = await platform.admin<
          { page_number: number; stage: string; model: string; resolution: string }[]
        >`
        select page_number, stage, model, resolution from internal.provider_calls
         where story_id = ${bookStory} and job_kind = 'print' and status = 'completed' order by page_number, submitted_at`;
        assert.deepEqual(
          models.filter((call) => call.page_number <= 5).map((call) => call.stage),
          Array(6).fill("upscale"),
          "the pages the parent saw are upscaled, not drawn again",
        );
        assert.deepEqual(
          models.filter((call) => call.page_number >= 6 && call.page_number <= 9).map((call) =>
            call.resolution
          ),
          Array(4).fill("4K"),
        );
        assert.deepEqual(
          models.filter((call) => call.page_number === 10).map((call) => `${call.stage} ${call.resolution}`),
          ["generate 1K", "upscale x4"],
        );
        const [job] = await platform.admin<{ status: string }[]>`
        select status::text from public.generation_jobs where story_id = ${bookStory} and kind = 'print'`;
        assert.equal(job.status, "completed");
      },
    );

    await t.step("each story's cost is reported for the preview apart from the book", async () => {
      const [costs] = await platform.admin<{ preview: string; book: string; total: string }[]>`
        select preview_cost_usd::text as preview, book_cost_usd::text as book, total_cost_usd::text as total
          from internal.story_costs where story_id = ${bookStory}`;
      // Preview: six 1K images at $0.08 (failed calls cost nothing).
      assert.equal(Number(costs.preview), 0.48);
      // Book: four 4K images ($0.16), one 1K image, and seven upscales to 4096² px at $0.001/MP.
      const upscale = 0.001 * (4096 * 4096) / 1e6;
      assert.ok(Math.abs(Number(costs.book) - (4 * 0.16 + 0.08 + 7 * upscale)) < 1e-5, costs.book);
      assert.ok(Math.abs(Number(costs.total) - Number(costs.preview) - Number(costs.book)) < 1e-9);
    });

    await t.step("logs name no child", () => {
      assert.ok(logs.length > 0);
      assert.ok(logs.every((line) => !line.includes("Mia")));
    });
  } finally {
    await receiver.shutdown();
    await fake.close();
    await sql.end();
    await platform.close();
  }
});
