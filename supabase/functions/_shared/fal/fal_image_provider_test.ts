import assert from "node:assert/strict";
import { ImageProviderError, type PageImageRequest, type QueuedJob } from "../images/image_provider.ts";
import { createFalImageProvider, type FalProviderConfig } from "./fal_image_provider.ts";
import type { FalCall } from "./fal_models.ts";
import { DEFAULT_FAL_PRICES, parsePriceTable } from "./fal_pricing.ts";
import type { FalQueue } from "./fal_queue.ts";

const WEBHOOK = "https://project.supabase.co/functions/v1/fal-webhook";
const CHILD_PHOTO = "https://project.supabase.co/storage/v1/object/sign/photos/child.jpg?token=secret";
const COVER = "https://project.supabase.co/storage/v1/object/sign/pages/cover.jpg?token=secret";
const QUEUE_BASE = "https://queue.fal.run/fal-ai/nano-banana-2/requests/req-1";
const SUBMITTED = {
  requestId: "req-1",
  statusUrl: `${QUEUE_BASE}/status`,
  responseUrl: QUEUE_BASE,
  cancelUrl: `${QUEUE_BASE}/cancel`,
};

function pageRequest(overrides: Partial<PageImageRequest> = {}): PageImageRequest {
  return {
    storyId: "story-1",
    pageNumber: 3,
    themeId: "space_voyager",
    style: "photorealistic",
    prompt: "The hero floats past the moon.",
    negativePrompt: "text, watermark, scary",
    seed: 1234,
    size: 1024,
    references: [{ role: "child_photo", url: CHILD_PHOTO }, { role: "character_anchor", url: COVER }],
    ...overrides,
  };
}

/** A queue that records what it is asked; `submit` answers with `submitResult` (or rejects with it). */
function fakeQueue(submitResult: Error | typeof SUBMITTED = SUBMITTED) {
  const submitted: { call: FalCall; webhookUrl: string; signal?: AbortSignal }[] = [];
  const asked: string[] = [];
  const queue: FalQueue = {
    submit(call, { webhookUrl, signal }) {
      submitted.push({ call, webhookUrl, signal });
      return submitResult instanceof Error ? Promise.reject(submitResult) : Promise.resolve(submitResult);
    },
    status(statusUrl) {
      asked.push(`status ${statusUrl}`);
      return Promise.resolve({ state: "completed", inferenceMs: 800 });
    },
    result(responseUrl) {
      asked.push(`result ${responseUrl}`);
      return Promise.resolve({ images: [] });
    },
    cancel(cancelUrl) {
      asked.push(`cancel ${cancelUrl}`);
      return Promise.resolve();
    },
  };
  return { queue, submitted, asked };
}

function providerWith(queue: FalQueue, overrides: Partial<FalProviderConfig> = {}) {
  return createFalImageProvider({
    queue,
    webhookUrl: WEBHOOK,
    models: { photorealistic: "fal-ai/nano-banana-2/edit", cartoon_3d: "fal-ai/flux-pulid" },
    upscaleModel: "fal-ai/seedvr/upscale/image",
    printResolution: "native",
    prices: DEFAULT_FAL_PRICES,
    pulidIdWeight: 1,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<ImageProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ImageProviderError, `expected an ImageProviderError, got ${error}`);
    return error;
  }
  assert.fail("expected a rejection");
}

function thrown(run: () => unknown): ImageProviderError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ImageProviderError, `expected an ImageProviderError, got ${error}`);
    return error;
  }
  assert.fail("expected a throw");
}

const generate = (overrides: Partial<PageImageRequest> = {}): QueuedJob => ({
  stage: "generate",
  request: pageRequest(overrides),
});

Deno.test("the fal provider is a queued provider named fal", () => {
  const provider = providerWith(fakeQueue().queue);
  assert.equal(provider.name, "fal");
  assert.equal(provider.queued, true);
});

Deno.test("a preview-size page is asked for at 1K with our webhook; the submission names both", async () => {
  const { queue, submitted } = fakeQueue();
  const submission = await providerWith(queue).submit(generate());
  assert.equal(submitted.length, 1);
  assert.equal(submitted[0].webhookUrl, WEBHOOK);
  assert.equal(submitted[0].call.endpointId, "fal-ai/nano-banana-2/edit");
  assert.equal(submitted[0].call.input.resolution, "1K");
  assert.deepEqual(submitted[0].call.input.image_urls, [CHILD_PHOTO, COVER]);
  assert.deepEqual(submission, { ...SUBMITTED, model: "fal-ai/nano-banana-2/edit", resolution: "1K" });
});

Deno.test("the caller's signal is handed to the queue", async () => {
  const { queue, submitted } = fakeQueue();
  const signal = new AbortController().signal;
  await providerWith(queue).submit(generate(), signal);
  assert.equal(submitted[0].signal, signal);
});

Deno.test("a print-size page is asked for at 4K when printing natively with a model that can", async () => {
  const { queue, submitted } = fakeQueue();
  const submission = await providerWith(queue).submit(generate({ size: 3075 }));
  assert.equal(submitted[0].call.input.resolution, "4K");
  assert.equal(submission.resolution, "4K");
  assert.equal(submission.model, "fal-ai/nano-banana-2/edit");
});

Deno.test("a print-size page is asked for at 1K when print resolution comes from the upscaler", async () => {
  const { queue, submitted } = fakeQueue();
  const submission = await providerWith(queue, { printResolution: "upscale" }).submit(
    generate({ size: 3075 }),
  );
  assert.equal(submitted[0].call.input.resolution, "1K");
  assert.equal(submission.resolution, "1K");
});

Deno.test("a print-size page by flux-pulid is asked for at 1K even when printing natively", async () => {
  const { queue, submitted } = fakeQueue();
  const submission = await providerWith(queue).submit(generate({ size: 3075, style: "cartoon_3d" }));
  assert.equal(submitted[0].call.endpointId, "fal-ai/flux-pulid");
  assert.equal(submitted[0].call.input.image_size, "square_hd");
  assert.equal(submitted[0].call.input.reference_image_url, CHILD_PHOTO);
  assert.deepEqual(submission, { ...SUBMITTED, model: "fal-ai/flux-pulid", resolution: "1K" });
});

Deno.test("each art style is drawn by the model configured for it", async () => {
  const { queue, submitted } = fakeQueue();
  const provider = providerWith(queue, {
    models: { photorealistic: "fal-ai/flux-pulid", cartoon_3d: "fal-ai/nano-banana-2/edit" },
  });
  await provider.submit(generate({ style: "photorealistic" }));
  await provider.submit(generate({ style: "cartoon_3d" }));
  assert.deepEqual(submitted.map((sent) => sent.call.endpointId), [
    "fal-ai/flux-pulid",
    "fal-ai/nano-banana-2/edit",
  ]);
});

Deno.test("an upscale from 1024 px goes to the configured upscaler at x4 to reach print size", async () => {
  const { queue, submitted } = fakeQueue();
  const imageUrl = "https://project.supabase.co/storage/v1/object/sign/pages/story-1/3/lease.jpg?token=t";
  const submission = await providerWith(queue).submit({
    stage: "upscale",
    style: "photorealistic",
    imageUrl,
    fromSide: 1024,
  });
  assert.equal(submitted[0].call.endpointId, "fal-ai/seedvr/upscale/image");
  assert.equal(submitted[0].call.input.image_url, imageUrl);
  assert.equal(submitted[0].call.input.upscale_factor, 4);
  assert.equal(submitted[0].webhookUrl, WEBHOOK);
  assert.deepEqual(submission, { ...SUBMITTED, model: "fal-ai/seedvr/upscale/image", resolution: "x4" });
});

Deno.test("an upscale with aura-sr is recorded as x4", async () => {
  const { queue, submitted } = fakeQueue();
  const submission = await providerWith(queue, { upscaleModel: "fal-ai/aura-sr" }).submit({
    stage: "upscale",
    style: "cartoon_3d",
    imageUrl: "https://project.supabase.co/storage/v1/object/sign/pages/p.jpg?token=t",
    fromSide: 1024,
  });
  assert.equal(submitted[0].call.endpointId, "fal-ai/aura-sr");
  assert.equal(submission.model, "fal-ai/aura-sr");
  assert.equal(submission.resolution, "x4");
});

Deno.test("an input the model's schema refuses is a final provider error naming no URL", async () => {
  const { queue, submitted } = fakeQueue();
  const badUrl = "ftp://project.example/photos/child.jpg?token=secret";
  const error = await rejection(
    providerWith(queue).submit(generate({ references: [{ role: "child_photo", url: badUrl }] })),
  );
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, false);
  assert.match(error.message, /image_urls/);
  assert.ok(!error.message.includes("token=secret"), error.message);
  assert.ok(!error.message.includes("ftp://"), error.message);
  assert.equal(submitted.length, 0, "nothing is sent to fal");
});

Deno.test("a request without the child photo first is refused before fal, naming no URL", async () => {
  const { queue, submitted } = fakeQueue();
  const error = await rejection(
    providerWith(queue).submit(generate({ references: [{ role: "character_anchor", url: COVER }] })),
  );
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, false);
  assert.ok(!error.message.includes("token=secret"), error.message);
  assert.ok(!error.message.includes("https://"), error.message);
  assert.equal(submitted.length, 0);
});

Deno.test("an upscale the upscaler cannot reach print size from is refused before fal", async () => {
  const { queue, submitted } = fakeQueue();
  const error = await rejection(
    providerWith(queue, { upscaleModel: "fal-ai/aura-sr" }).submit({
      stage: "upscale",
      style: "photorealistic",
      imageUrl: "https://project.supabase.co/storage/v1/object/sign/pages/p.jpg?token=secret",
      fromSide: 512,
    }),
  );
  assert.equal(error.code, "provider_error");
  assert.equal(error.retryable, false);
  assert.ok(!error.message.includes("token=secret"), error.message);
  assert.equal(submitted.length, 0);
});

Deno.test("a rate limit from the queue reaches the caller as it is", async () => {
  const limited = new ImageProviderError("rate_limited", "fal is rate limiting our requests", {
    retryable: true,
    retryAfterMs: 12_000,
  });
  const error = await rejection(providerWith(fakeQueue(limited).queue).submit(generate()));
  assert.equal(error, limited);
});

Deno.test("status, result and cancel go to the queue with the URLs fal returned", async () => {
  const { queue, asked } = fakeQueue();
  const provider = providerWith(queue);
  assert.deepEqual(await provider.status(SUBMITTED.statusUrl), { state: "completed", inferenceMs: 800 });
  assert.deepEqual(await provider.result(SUBMITTED.responseUrl), { images: [] });
  await provider.cancel(SUBMITTED.cancelUrl);
  assert.deepEqual(asked, [
    `status ${SUBMITTED.statusUrl}`,
    `result ${SUBMITTED.responseUrl}`,
    `cancel ${SUBMITTED.cancelUrl}`,
  ]);
});

Deno.test("the produced image is the first image of the output, in either of fal's output shapes", () => {
  const provider = providerWith(fakeQueue().queue);
  assert.deepEqual(
    provider.producedImage({
      images: [
        { url: "https://v3.fal.media/files/a.jpeg", width: 4096, height: 4096, content_type: "image/jpeg" },
        { url: "https://v3.fal.media/files/b.jpeg", width: 4096, height: 4096 },
      ],
      description: "",
    }),
    { url: "https://v3.fal.media/files/a.jpeg" },
  );
  assert.deepEqual(provider.producedImage({ image: { url: "https://v3.fal.media/files/up.jpg" } }), {
    url: "https://v3.fal.media/files/up.jpg",
  });
});

Deno.test("a flux output flagged by fal's safety checker is a content refusal", () => {
  const provider = providerWith(fakeQueue().queue);
  const error = thrown(() =>
    provider.producedImage({
      images: [{ url: "https://v3.fal.media/files/black.jpeg", width: 1024, height: 1024 }],
      has_nsfw_concepts: [true],
      seed: 1234,
    })
  );
  assert.equal(error.code, "content_refused");
  assert.equal(error.retryable, false);
});

Deno.test("a flux output the safety checker passed is used", () => {
  const provider = providerWith(fakeQueue().queue);
  const image = provider.producedImage({
    images: [{ url: "https://v3.fal.media/files/page.jpeg", width: 1024, height: 1024 }],
    has_nsfw_concepts: [false],
  });
  assert.equal(image.url, "https://v3.fal.media/files/page.jpeg");
});

Deno.test("an output without an image is a retryable provider error", () => {
  const provider = providerWith(fakeQueue().queue);
  for (const output of [{ images: [] }, {}, null, "https://v3.fal.media/files/page.jpeg"]) {
    const error = thrown(() => provider.producedImage(output));
    assert.equal(error.code, "provider_error");
    assert.equal(error.retryable, true);
  }
});

Deno.test("a call's cost comes from the configured price table", () => {
  const provider = providerWith(fakeQueue().queue);
  assert.equal(provider.costUsd("fal-ai/nano-banana-2/edit", "1K", 1024, 1024), 0.08);
  assert.equal(provider.costUsd("fal-ai/nano-banana-2/edit", "4K", 4096, 4096), 0.16);
  // Per megapixel of the output: 4096 × 4096 px at $0.001.
  assert.equal(provider.costUsd("fal-ai/seedvr/upscale/image", "x4", 4096, 4096), 0.016777);

  const overridden = providerWith(fakeQueue().queue, {
    prices: parsePriceTable('{"fal-ai/nano-banana-2/edit": {"per_image_usd": 0.1}}'),
  });
  assert.equal(overridden.costUsd("fal-ai/nano-banana-2/edit", "4K", 4096, 4096), 0.1);
  assert.throws(() => overridden.costUsd("fal-ai/unknown-model", "1K", 1024, 1024), /no price/);
});
