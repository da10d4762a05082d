import assert from "node:assert/strict";
import { encodeJpeg } from "./images/jpeg_encoder.ts";
import { jpegHeaderOnly } from "./images/test_images.ts";
import {
  ImageProviderError,
  type QueuedImageProvider,
  type QueuedJob,
  type QueuedSubmission,
} from "./images/image_provider.ts";
import { createRgbaImage } from "./images/raster.ts";
import type { DrawnImage } from "./page_results.ts";
import type {
  AttemptOutcome,
  CallClosing,
  Completion,
  FailedAttempt,
  FinishingOutcome,
  PageStore,
  PageTask,
  QueuedCall,
  Submission,
} from "./page_store.ts";
import {
  createProviderCallFinisher,
  DownloadInterrupted,
  type FinishOutcome,
  type ProviderAnswer,
} from "./provider_call_finisher.ts";
import type { ObjectStore } from "./storage.ts";

const IMAGE_URL = "https://v3.fal.media/files/rabbit/page.jpeg";
const OUTPUT = { url: IMAGE_URL };
const WATERMARKED = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
const MODEL = "fal-ai/nano-banana-2/edit";
const UPSCALER = "fal-ai/seedvr/upscale/image";

/** A real, small, non-square JPEG, so width and height cannot be swapped unnoticed. */
const SMALL_JPEG = new Uint8Array(encodeJpeg(createRgbaImage(48, 32)));
const PREVIEW_SIZE_JPEG = new Uint8Array(encodeJpeg(createRgbaImage(1024, 1024)));

const PRINT_JPEG = jpegHeaderOnly(4096);

const TASK: PageTask = {
  pageId: "page-1",
  storyId: "story-1",
  userId: "user-1",
  pageNumber: 3,
  seed: 1234,
  themeId: "space_voyager",
  style: "cartoon_3d",
  jobKind: "preview",
  isLocked: false,
  child: { child_name: "Ada", child_age: 5, pronouns: "she" },
  photo: { storagePath: "user-1/photo.jpg", faceBox: { x: 10, y: 10, width: 50, height: 50 } },
  coverHiresPath: "story-1/0/lease-0.jpg",
  hiresPath: null,
  previewPath: null,
  contentRefusals: 0,
};

const CALL: QueuedCall = {
  callId: "call-1",
  pageId: "page-1",
  stage: "generate",
  provider: "fal",
  model: MODEL,
  resolution: "1K",
  leaseToken: "lease-1",
  msgId: "42",
  carriedHiresPath: null,
  carriedPreviewPath: null,
};

const UPSCALE_SUBMISSION: QueuedSubmission = {
  requestId: "req-upscale",
  statusUrl: "https://queue.fal.run/fal-ai/seedvr/requests/req-upscale/status",
  responseUrl: "https://queue.fal.run/fal-ai/seedvr/requests/req-upscale",
  cancelUrl: "https://queue.fal.run/fal-ai/seedvr/requests/req-upscale/cancel",
  model: UPSCALER,
  resolution: "x4",
};

interface Setup {
  begun?: FinishingOutcome["outcome"];
  call?: Partial<QueuedCall>;
  /** Null: the page is gone. */
  task?: PageTask | null;
  completes?: boolean;
  recordsSubmission?: boolean;
  attemptOutcome?: AttemptOutcome;
  /** The download's answer; default: SMALL_JPEG. */
  download?: () => Response;
  producedImage?: (output: unknown) => { url: string };
  submitFails?: Error;
  uploadFails?: string;
  maxImageBytes?: number;
}

function setup(options: Setup = {}) {
  const call = { ...CALL, ...options.call };
  const task = options.task === undefined ? TASK : options.task;
  const events: string[] = [];
  const completions: Completion[] = [];
  const failures: FailedAttempt[] = [];
  const closed: { status: string; closing: CallClosing }[] = [];
  const submissions: Submission[] = [];
  const jobs: QueuedJob[] = [];
  const uploads: { bucket: string; path: string; bytes: Uint8Array; contentType: string }[] = [];
  const removed: string[] = [];
  const signed: { bucket: string; path: string; ttl: number }[] = [];
  const watermarked: DrawnImage[] = [];
  const downloads: string[] = [];
  const cancelled: string[] = [];
  const prices: unknown[][] = [];
  const logs: string[] = [];

  const pages: PageStore = {
    claim: () => assert.fail("the finisher never claims"),
    recordFinishedCall: () => assert.fail("a queued call is closed, not recorded"),
    lateCalls: () => assert.fail("the finisher never sweeps"),
    beginFinishing(requestId) {
      events.push(`begin ${requestId}`);
      const outcome = options.begun ?? "begun";
      return Promise.resolve(outcome === "unknown" ? { outcome, call: null } : { outcome, call });
    },
    load(pageId) {
      events.push(`load ${pageId}`);
      return Promise.resolve(task);
    },
    complete(completion) {
      events.push("complete");
      completions.push(completion);
      return Promise.resolve(options.completes ?? true);
    },
    failAttempt(attempt) {
      events.push("fail");
      failures.push(attempt);
      return Promise.resolve(options.attemptOutcome ?? "retrying");
    },
    recordSubmission(submission) {
      events.push("record submission");
      submissions.push(submission);
      return Promise.resolve(options.recordsSubmission ?? true);
    },
    closeCall(status, closing) {
      events.push(`close ${status}`);
      closed.push({ status, closing });
      return Promise.resolve();
    },
  };

  const objects: ObjectStore = {
    upload(bucket, path, bytes, contentType) {
      if (options.uploadFails === bucket) return Promise.reject(new Error(`${bucket} is unavailable`));
      uploads.push({ bucket, path, bytes, contentType });
      return Promise.resolve();
    },
    remove(bucket, paths) {
      removed.push(...paths.map((path) => `${bucket}/${path}`));
      return Promise.resolve();
    },
    signedUrl(bucket, path, ttl) {
      signed.push({ bucket, path, ttl });
      return Promise.resolve(`https://project.supabase.co/storage/v1/object/sign/${bucket}/${path}?token=t`);
    },
    signedUrls: () => assert.fail("the finisher signs one URL at a time"),
  };

  const provider: QueuedImageProvider = {
    name: "fal",
    queued: true,
    submit(job) {
      events.push(`submit ${job.stage}`);
      jobs.push(job);
      return options.submitFails ? Promise.reject(options.submitFails) : Promise.resolve(UPSCALE_SUBMISSION);
    },
    status: () => assert.fail("the finisher is handed the answer"),
    result: () => assert.fail("the finisher is handed the answer"),
    cancel(cancelUrl) {
      cancelled.push(cancelUrl);
      return Promise.resolve();
    },
    producedImage: options.producedImage ?? ((output) => ({ url: (output as typeof OUTPUT).url })),
    costUsd(...args) {
      prices.push(args);
      return 0.08;
    },
  };

  const fetch: typeof globalThis.fetch = (input, init) => {
    downloads.push(String(input));
    assert.ok(init?.signal, "a download is bounded in time");
    return Promise.resolve(options.download?.() ?? new Response(SMALL_JPEG));
  };

  const finisher = createProviderCallFinisher({
    pages,
    objects,
    provider,
    fetch,
    watermark(image) {
      watermarked.push(image);
      return Promise.resolve(WATERMARKED);
    },
    log: (line) => logs.push(line),
    config: {
      referenceUrlTtlSeconds: 3600,
      maxImageBytes: options.maxImageBytes ?? 1_000_000,
      downloadTimeoutMs: 5000,
    },
  });
  const finish = (answer: ProviderAnswer = { ok: true, output: OUTPUT, inferenceMs: 4200 }) =>
    finisher.finish("req-1", answer);
  return {
    finish,
    call,
    events,
    completions,
    failures,
    closed,
    submissions,
    jobs,
    uploads,
    removed,
    signed,
    watermarked,
    downloads,
    cancelled,
    prices,
    logs,
  };
}

/** What a preview-size render of CALL is stored under. */
const HIRES_PATH = "story-1/3/lease-1.jpg";
const PREVIEW_PATH = "user-1/story-1/3-lease-1.jpg";

const uploadedPaths = (uploads: { bucket: string; path: string }[]) =>
  uploads.map(({ bucket, path }) => `${bucket}/${path}`).sort();

for (
  const [begun, outcome] of [["unknown", "unknown"], ["busy", "busy"], ["finished", "duplicate"]] as const
) {
  Deno.test(`a request the store calls ${begun} is answered ${outcome}, loading nothing`, async () => {
    const run = setup({ begun });
    const result: FinishOutcome = await run.finish();
    assert.equal(result, outcome);
    assert.deepEqual(run.events, ["begin req-1"]);
    assert.deepEqual(run.downloads, []);
  });
}

Deno.test("a result for a page that no longer exists closes the call as cancelled", async () => {
  const run = setup({ task: null });
  assert.equal(await run.finish(), "stale");
  assert.deepEqual(run.closed, [{ status: "cancelled", closing: { callId: "call-1" } }]);
  assert.deepEqual(run.events, ["begin req-1", "load page-1", "close cancelled"]);
  assert.deepEqual(run.downloads, []);
});

Deno.test("an error answer fails the page attempt and closes the call with it", async () => {
  const run = setup({ attemptOutcome: "flagged" });
  const refused = new ImageProviderError("content_refused", "fal answered 422 (content_policy_violation)", {
    retryable: false,
  });
  assert.equal(await run.finish({ ok: false, error: refused }), "flagged");
  assert.deepEqual(run.failures, [{
    pageId: "page-1",
    leaseToken: "lease-1",
    msgId: "42",
    code: "content_refused",
    detail: refused.message,
    retryable: false,
    retryAfterSeconds: null,
    call: { callId: "call-1" },
  }]);
  assert.deepEqual(run.downloads, []);
  assert.deepEqual(run.completions, []);
});

Deno.test("a failed upscale removes the preview-size images carried to it", async () => {
  const run = setup({
    task: { ...TASK, jobKind: "print" },
    call: {
      stage: "upscale",
      carriedHiresPath: "story-1/9/lease-first.jpg",
      carriedPreviewPath: "user-1/story-1/9-lease-first.jpg",
    },
  });
  const failed = new ImageProviderError("provider_error", "fal answered 500", { retryable: true });
  assert.equal(await run.finish({ ok: false, error: failed }), "retrying");
  assert.deepEqual(run.removed.sort(), [
    "pages/story-1/9/lease-first.jpg",
    "previews/user-1/story-1/9-lease-first.jpg",
  ]);
});

Deno.test("a rate-limited answer is retried after the delay the provider asked for", async () => {
  const run = setup();
  const limited = new ImageProviderError("rate_limited", "fal is rate limiting our requests", {
    retryable: true,
    retryAfterMs: 29_500,
  });
  assert.equal(await run.finish({ ok: false, error: limited }), "retrying");
  assert.equal(run.failures[0].code, "rate_limited");
  assert.equal(run.failures[0].retryable, true);
  assert.equal(run.failures[0].retryAfterSeconds, 30);
});

Deno.test("a preview result is stored with its watermarked preview and completes the page", async () => {
  const run = setup();
  assert.equal(await run.finish(), "completed");
  assert.deepEqual(run.downloads, [IMAGE_URL]);
  assert.deepEqual(uploadedPaths(run.uploads), [`pages/${HIRES_PATH}`, `previews/${PREVIEW_PATH}`]);
  const hires = run.uploads.find((upload) => upload.bucket === "pages")!;
  assert.deepEqual(hires.bytes, SMALL_JPEG);
  assert.equal(hires.contentType, "image/jpeg");
  const preview = run.uploads.find((upload) => upload.bucket === "previews")!;
  assert.deepEqual(preview.bytes, WATERMARKED);
  assert.equal(preview.contentType, "image/jpeg");
  assert.equal(run.watermarked.length, 1);
  assert.equal(run.watermarked[0].width, 48);
  assert.equal(run.watermarked[0].height, 32);
  assert.deepEqual(run.prices, [[MODEL, "1K", 48, 32]]);
  assert.deepEqual(run.completions, [{
    pageId: "page-1",
    leaseToken: "lease-1",
    msgId: "42",
    hiresPath: HIRES_PATH,
    previewPath: PREVIEW_PATH,
    provider: "fal",
    model: MODEL,
    call: { callId: "call-1", width: 48, height: 32, costUsd: 0.08, inferenceMs: 4200 },
  }]);
  assert.deepEqual(run.closed, [], "the call is closed in the transaction that completes the page");
  assert.deepEqual(run.removed, []);
});

Deno.test("a result without an inference time closes the call with none", async () => {
  const run = setup({ call: { resolution: null } });
  await run.finish({ ok: true, output: OUTPUT });
  assert.equal(run.completions[0].call?.inferenceMs, null);
  assert.deepEqual(run.prices, [[MODEL, "", 48, 32]]);
});

Deno.test("a preview result that lost its lease is stale and its uploads are removed", async () => {
  const run = setup({ completes: false });
  assert.equal(await run.finish(), "stale");
  assert.deepEqual(run.removed.sort(), [`pages/${HIRES_PATH}`, `previews/${PREVIEW_PATH}`]);
});

Deno.test("a print-size result completes the page with the preview-size images carried to it", async () => {
  const run = setup({
    download: () => new Response(PRINT_JPEG),
    task: {
      ...TASK,
      jobKind: "print",
      hiresPath: "story-1/3/lease-0.jpg",
      previewPath: "user-1/story-1/3-lease-0.jpg",
    },
    call: {
      stage: "upscale",
      model: UPSCALER,
      resolution: "x4",
      carriedHiresPath: "story-1/3/lease-carried.jpg",
      carriedPreviewPath: "user-1/story-1/3-lease-carried.jpg",
    },
  });
  assert.equal(await run.finish(), "completed");
  assert.deepEqual(uploadedPaths(run.uploads), ["pages/story-1/3/print-lease-1.jpg"]);
  assert.deepEqual(run.uploads[0].bytes, PRINT_JPEG);
  assert.deepEqual(run.watermarked, [], "a print-size image is never watermarked");
  assert.deepEqual(run.prices, [[UPSCALER, "x4", 4096, 4096]]);
  assert.deepEqual(run.completions, [{
    pageId: "page-1",
    leaseToken: "lease-1",
    msgId: "42",
    hiresPath: "story-1/3/lease-carried.jpg",
    previewPath: "user-1/story-1/3-lease-carried.jpg",
    provider: "fal",
    model: UPSCALER,
    print: { path: "story-1/3/print-lease-1.jpg", width: 4096, height: 4096 },
    call: { callId: "call-1", width: 4096, height: 4096, costUsd: 0.08, inferenceMs: 4200 },
  }]);
  assert.deepEqual(run.jobs, [], "no upscale is asked for");
});

Deno.test("a print-size result drawn directly keeps the page's existing preview-size images", async () => {
  const run = setup({
    download: () => new Response(PRINT_JPEG),
    task: {
      ...TASK,
      jobKind: "print",
      hiresPath: "story-1/3/lease-0.jpg",
      previewPath: "user-1/story-1/3-lease-0.jpg",
    },
    call: { resolution: "4K" },
  });
  assert.equal(await run.finish(), "completed");
  assert.equal(run.completions[0].hiresPath, "story-1/3/lease-0.jpg");
  assert.equal(run.completions[0].previewPath, "user-1/story-1/3-lease-0.jpg");
  assert.deepEqual(run.completions[0].print, {
    path: "story-1/3/print-lease-1.jpg",
    width: 4096,
    height: 4096,
  });
});

const PRINT_BELOW_SIZE: Setup = {
  download: () => new Response(PREVIEW_SIZE_JPEG),
  task: { ...TASK, jobKind: "print" },
};

Deno.test("a print page drawn below print size asks for the upscale, closing its call as it records it", async () => {
  const run = setup(PRINT_BELOW_SIZE);
  assert.equal(await run.finish(), "upscaling");
  assert.deepEqual(uploadedPaths(run.uploads), [`pages/${HIRES_PATH}`, `previews/${PREVIEW_PATH}`]);
  assert.deepEqual(run.completions, [], "the page is not complete before its print image");
  assert.deepEqual(run.closed, [], "the first stage is closed with the upscale's record, not before");
  assert.deepEqual(run.signed, [{ bucket: "pages", path: HIRES_PATH, ttl: 3600 }]);
  assert.deepEqual(run.jobs, [{
    stage: "upscale",
    style: "cartoon_3d",
    imageUrl: `https://project.supabase.co/storage/v1/object/sign/pages/${HIRES_PATH}?token=t`,
    fromSide: 1024,
  }]);
  assert.deepEqual(run.submissions, [{
    pageId: "page-1",
    leaseToken: "lease-1",
    msgId: "42",
    stage: "upscale",
    provider: "fal",
    ...UPSCALE_SUBMISSION,
    carriedHiresPath: HIRES_PATH,
    carriedPreviewPath: PREVIEW_PATH,
    closes: { callId: "call-1", width: 1024, height: 1024, costUsd: 0.08, inferenceMs: 4200 },
  }]);
  assert.deepEqual(run.removed, []);
  assert.deepEqual(run.events.slice(-2), ["submit upscale", "record submission"]);
});

Deno.test("an upscale submitted after the lease was lost is cancelled at the provider", async () => {
  const run = setup({ ...PRINT_BELOW_SIZE, recordsSubmission: false });
  assert.equal(await run.finish(), "stale");
  assert.deepEqual(run.cancelled, [UPSCALE_SUBMISSION.cancelUrl]);
});

Deno.test("an upscale the provider refuses fails the attempt and removes the first stage", async () => {
  const limited = new ImageProviderError("rate_limited", "fal is rate limiting our requests", {
    retryable: true,
  });
  const run = setup({ ...PRINT_BELOW_SIZE, submitFails: limited });
  assert.equal(await run.finish(), "retrying");
  assert.deepEqual(run.removed.sort(), [`pages/${HIRES_PATH}`, `previews/${PREVIEW_PATH}`]);
  assert.equal(run.failures.length, 1);
  assert.equal(run.failures[0].code, "rate_limited");
  assert.deepEqual(run.failures[0].call, { callId: "call-1" });
});

Deno.test("an upscale still below print size fails the attempt and is not upscaled again", async () => {
  const run = setup({ ...PRINT_BELOW_SIZE, call: { stage: "upscale", model: UPSCALER } });
  assert.equal(await run.finish(), "retrying");
  assert.deepEqual(run.removed.sort(), [`pages/${HIRES_PATH}`, `previews/${PREVIEW_PATH}`]);
  assert.equal(run.failures.length, 1);
  assert.equal(run.failures[0].code, "provider_error");
  assert.equal(run.failures[0].retryable, false);
  assert.deepEqual(run.failures[0].call, { callId: "call-1" });
  assert.deepEqual(run.jobs, []);
  assert.deepEqual(run.closed, []);
  assert.deepEqual(run.completions, []);
});

Deno.test("a download that meets a failing CDN is thrown, leaving the call for the sweep", async () => {
  const run = setup({ download: () => new Response("upstream failure", { status: 500 }) });
  await assert.rejects(run.finish(), DownloadInterrupted);
  assert.deepEqual(run.failures, []);
  assert.deepEqual(run.closed, []);
  assert.deepEqual(run.uploads, []);
});

Deno.test("a download that breaks off is thrown, leaving the call for the sweep", async () => {
  const run = setup({
    download: () => {
      throw new TypeError("connection reset");
    },
  });
  await assert.rejects(run.finish(), DownloadInterrupted);
  assert.deepEqual(run.failures, []);
});

Deno.test("an output that is gone (404) fails the attempt at once", async () => {
  const run = setup({ download: () => new Response("not found", { status: 404 }) });
  assert.equal(await run.finish(), "retrying");
  assert.equal(run.failures[0].code, "provider_error");
  assert.deepEqual(run.failures[0].call, { callId: "call-1" });
});

Deno.test("a download that is not an image fails the attempt, naming no content", async () => {
  const run = setup({
    download: () => new Response("<html>Not found</html>", { headers: { "content-type": "text/html" } }),
  });
  assert.equal(await run.finish(), "retrying");
  assert.equal(run.failures.length, 1);
  assert.deepEqual(run.failures[0].call, { callId: "call-1" });
  assert.equal(run.failures[0].code, "provider_error");
  // Another attempt may well get an image: the failure is retryable.
  assert.equal(run.failures[0].retryable, true);
  assert.match(run.failures[0].detail, /unreadable image/);
  assert.ok(!run.failures[0].detail.includes("html"), "the page's last error holds no body");
  assert.deepEqual(run.uploads, []);
  assert.deepEqual(run.completions, []);
});

Deno.test("a WebP answer is refused: only JPEG and PNG pages are stored", async () => {
  const webp = new Uint8Array([
    ...new TextEncoder().encode("RIFF"),
    0x16,
    0,
    0,
    0,
    ...new TextEncoder().encode("WEBPVP8X"),
    10,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0x03,
    0,
    0xff,
    0x03,
    0,
  ]);
  const run = setup({ download: () => new Response(webp) });
  assert.equal(await run.finish(), "retrying");
  assert.equal(run.failures.length, 1);
  assert.deepEqual(run.failures[0].call, { callId: "call-1" });
  assert.match(run.failures[0].detail, /unreadable image/);
  assert.deepEqual(run.uploads, []);
});

Deno.test("an output the provider refuses to read fails the attempt without a download", async () => {
  const run = setup({
    producedImage: () => {
      throw new ImageProviderError("content_refused", "fal's safety checker blanked the image", {
        retryable: false,
      });
    },
  });
  assert.equal(await run.finish(), "retrying");
  assert.equal(run.failures[0].code, "content_refused");
  assert.deepEqual(run.downloads, []);
});

Deno.test("an image declared larger than accepted fails the attempt without reading its body", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024)),
    cancel: () => {
      cancelled = true;
    },
  });
  const run = setup({
    maxImageBytes: 1024,
    download: () => new Response(body, { headers: { "content-length": String(1024 * 1024) } }),
  });
  assert.equal(await run.finish(), "retrying");
  assert.equal(run.failures[0].code, "provider_error");
  assert.match(run.failures[0].detail, /larger than accepted/);
  assert.equal(cancelled, true);
  assert.deepEqual(run.uploads, []);
  assert.deepEqual(run.completions, []);
});

Deno.test("an image larger than accepted without a declared length fails the attempt once read", async () => {
  const run = setup({ maxImageBytes: SMALL_JPEG.byteLength - 1 });
  assert.equal(await run.finish(), "retrying");
  assert.match(run.failures[0].detail, /larger than accepted/);
  assert.deepEqual(run.uploads, []);
  assert.deepEqual(run.completions, []);
});

Deno.test("an image of exactly the largest accepted size is stored", async () => {
  const run = setup({ maxImageBytes: SMALL_JPEG.byteLength });
  assert.equal(await run.finish(), "completed");
});

Deno.test("a failed upload is thrown and what did upload is removed again", async () => {
  const run = setup({ uploadFails: "previews" });
  await assert.rejects(run.finish(), /previews is unavailable/);
  assert.deepEqual(run.removed, [`pages/${HIRES_PATH}`]);
  assert.deepEqual(run.completions, []);
  assert.deepEqual(run.failures, []);
});
