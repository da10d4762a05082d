import assert from "node:assert/strict";
import type { GeneratedImage, ImageProvider, PageImageRequest } from "../_shared/images/image_provider.ts";
import { ImageProviderError } from "../_shared/images/image_provider.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import { themeStoryContent } from "../_shared/story_content/theme_catalogue.ts";
import { createPageWorkerHandler } from "./handler.ts";
import type {
  Claim,
  Completion,
  FailedAttempt,
  FinishedCall,
  PageStore,
  PageTask,
} from "../_shared/page_store.ts";

const SERVICE_KEY = "service-role-key";
const PAGE_ID = "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9";
const STORY_ID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const USER_ID = "8c7d6e5f-4a3b-4c2d-9e0f-1a2b3c4d5e6f";
const LEASE = "11111111-2222-4333-8444-555555555555";
const OLD_LEASE = "99999999-2222-4333-8444-555555555555";

function task(overrides: Partial<PageTask> = {}): PageTask {
  return {
    pageId: PAGE_ID,
    storyId: STORY_ID,
    userId: USER_ID,
    pageNumber: 3,
    seed: 42,
    themeId: "ocean_explorer",
    style: "photorealistic",
    child: { child_name: "Mia", child_age: 6, pronouns: "she" },
    photo: { storagePath: `${USER_ID}/photo.jpg`, faceBox: { x: 10, y: 20, width: 100, height: 120 } },
    coverHiresPath: `${STORY_ID}/0/cover-lease.jpg`,
    jobKind: "preview",
    isLocked: false,
    hiresPath: null,
    previewPath: null,
    contentRefusals: 0,
    ...overrides,
  };
}

const IMAGE: GeneratedImage = {
  bytes: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]),
  contentType: "image/jpeg",
  width: 1024,
  height: 1024,
  provider: "fake-provider",
  model: "fake-model",
};

interface World {
  claims: { pageId: string; msgId: string }[];
  completions: Completion[];
  failures: FailedAttempt[];
  requests: PageImageRequest[];
  objects: Map<string, Uint8Array>;
  removed: string[];
  logs: string[];
  calls: FinishedCall[];
}

interface Options {
  claim?: Claim;
  task?: PageTask | null;
  completes?: boolean;
  generate?: (request: PageImageRequest) => Promise<GeneratedImage>;
  failUploadTo?: string;
}

function setup(options: Options = {}) {
  const world: World = {
    claims: [],
    completions: [],
    failures: [],
    requests: [],
    objects: new Map(),
    removed: [],
    logs: [],
    calls: [],
  };
  const pages: PageStore = {
    claim: (pageId, msgId) => {
      world.claims.push({ pageId, msgId });
      return Promise.resolve(
        options.claim ?? { outcome: "claimed", leaseToken: LEASE, attempt: 1, abandonedObjects: [] },
      );
    },
    load: () => Promise.resolve(options.task === undefined ? task() : options.task),
    complete: (completion) => {
      world.completions.push(completion);
      return Promise.resolve(options.completes ?? true);
    },
    failAttempt: (attempt) => {
      world.failures.push(attempt);
      return Promise.resolve(attempt.retryable ? "retrying" : "failed");
    },
    recordFinishedCall: (call) => {
      world.calls.push(call);
      return Promise.resolve();
    },
    recordSubmission: () => Promise.reject(new Error("a synchronous provider submits nothing")),
    beginFinishing: () => Promise.reject(new Error("the worker finishes no queued call")),
    closeCall: () => Promise.reject(new Error("the worker closes no queued call")),
    lateCalls: () => Promise.reject(new Error("the worker sweeps nothing")),
  };
  const objects: ObjectStore = {
    upload: (bucket, path, bytes) => {
      if (bucket === options.failUploadTo) {
        return Promise.reject(new Error(`disk full at /var/lib/${bucket}`));
      }
      world.objects.set(`${bucket}/${path}`, bytes);
      return Promise.resolve();
    },
    remove: (bucket, paths) => {
      for (const path of paths) {
        world.objects.delete(`${bucket}/${path}`);
        world.removed.push(`${bucket}/${path}`);
      }
      return Promise.resolve();
    },
    signedUrl: (bucket, path, ttl) =>
      Promise.resolve(`https://storage.test/${bucket}/${path}?ttl=${ttl}&token=secret`),
    signedUrls: () => Promise.resolve(new Map()),
  };
  const provider: ImageProvider = {
    name: "fake",
    generate: (request) => {
      world.requests.push(request);
      return options.generate ? options.generate(request) : Promise.resolve(IMAGE);
    },
  };
  const handler = createPageWorkerHandler({
    pages,
    objects,
    provider,
    storyContent: themeStoryContent,
    watermark: (image) => Promise.resolve(new Uint8Array([...image.bytes, 0x57])),
    config: { serviceRoleKey: SERVICE_KEY, referenceUrlTtlSeconds: 3600, providerTimeoutMs: 60_000 },
    log: (line) => world.logs.push(line),
  });
  return { handler, world };
}

function call(body: unknown = { msg_id: 7, page_id: PAGE_ID }, key = SERVICE_KEY): Request {
  return new Request("http://functions.test/page-worker", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("page-worker refuses anything but the service role key with 401", async (t) => {
  for (const key of ["", "service-role-ke", "service-role-key2", "an-anon-or-user-token"]) {
    await t.step(JSON.stringify(key), async () => {
      const { handler, world } = setup();
      const response = await handler(call(undefined, key));
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.code, "unauthorized");
      assert.equal(world.claims.length, 0);
    });
  }
});

Deno.test("page-worker rejects a malformed task with 400 naming the field", async () => {
  const { handler, world } = setup();
  const response = await handler(call({ msg_id: 7, page_id: "page-3" }));
  assert.equal(response.status, 400);
  assert.match((await response.json()).error.message, /^page_id:/);
  const negative = await handler(call({ msg_id: -1, page_id: PAGE_ID }));
  assert.equal(negative.status, 400);
  assert.equal(world.claims.length, 0);
});

Deno.test("page-worker stops after a claim it did not win and reports the outcome", async (t) => {
  for (const outcome of ["busy", "not_queued", "missing", "exhausted"] as const) {
    await t.step(outcome, async () => {
      const { handler, world } = setup({
        claim: { outcome, leaseToken: null, attempt: null, abandonedObjects: [] },
      });
      const response = await handler(call());
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { outcome });
      assert.equal(world.requests.length, 0);
      assert.equal(world.objects.size, 0);
    });
  }
});

Deno.test("page-worker removes what a dead attempt left before drawing the page again, or failing it", async (t) => {
  const abandonedObjects = [
    { bucket: "pages", path: `story-1/3/${OLD_LEASE}.jpg` },
    { bucket: "previews", path: `user-1/story-1/3-${OLD_LEASE}.jpg` },
  ];
  for (
    const claim of [
      { outcome: "claimed", leaseToken: LEASE, attempt: 2, abandonedObjects },
      { outcome: "exhausted", leaseToken: null, attempt: 3, abandonedObjects },
    ] as const
  ) {
    await t.step(claim.outcome, async () => {
      const { handler, world } = setup({
        claim: { ...claim, abandonedObjects: [...claim.abandonedObjects] },
      });
      const response = await handler(call());
      assert.equal(response.status, 200);
      assert.deepEqual(world.removed, abandonedObjects.map(({ bucket, path }) => `${bucket}/${path}`));
      assert.equal(world.requests.length, claim.outcome === "claimed" ? 1 : 0);
    });
  }
});

Deno.test("page-worker draws a page, stores one hi-res and one watermarked preview, and completes it", async () => {
  const { handler, world } = setup();
  const response = await handler(call({ msg_id: "7", page_id: PAGE_ID }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { outcome: "completed" });

  assert.deepEqual(world.claims, [{ pageId: PAGE_ID, msgId: "7" }]);
  const [request] = world.requests;
  assert.equal(request.size, 1024);
  assert.equal(request.pageNumber, 3);
  assert.equal(request.seed, 42);
  assert.equal(request.style, "photorealistic");
  assert.ok(!request.prompt.includes("Mia"), "the child's name never reaches a provider");
  assert.match(request.prompt, /6-year-old girl/);
  assert.deepEqual(request.references.map((ref) => ref.role), ["child_photo", "character_anchor"]);
  assert.deepEqual(request.references[0].faceBox, { x: 10, y: 20, width: 100, height: 120 });
  assert.match(request.references[0].url, /photos\/.*ttl=3600/);
  assert.match(request.references[1].url, /pages\/.*cover-lease\.jpg/);

  const hires = `pages/${STORY_ID}/3/${LEASE}.jpg`;
  const preview = `previews/${USER_ID}/${STORY_ID}/3-${LEASE}.jpg`;
  assert.deepEqual([...world.objects.keys()].sort(), [hires, preview]);
  assert.deepEqual(world.objects.get(hires), IMAGE.bytes);
  assert.equal(world.objects.get(preview)?.at(-1), 0x57, "the preview is the watermarked image");
  assert.deepEqual(world.completions, [{
    pageId: PAGE_ID,
    leaseToken: LEASE,
    msgId: "7",
    hiresPath: `${STORY_ID}/3/${LEASE}.jpg`,
    previewPath: `${USER_ID}/${STORY_ID}/3-${LEASE}.jpg`,
    provider: "fake-provider",
    model: "fake-model",
  }]);
});

Deno.test("page-worker draws the cover from the child's photo alone", async () => {
  const { handler, world } = setup({ task: task({ pageNumber: 0, coverHiresPath: null }) });
  assert.deepEqual(await (await handler(call())).json(), { outcome: "completed" });
  assert.deepEqual(world.requests[0].references.map((ref) => ref.role), ["child_photo"]);
});

Deno.test("page-worker logs one line per page with ids and outcome, and no names or signed URLs", async () => {
  const { handler, world } = setup();
  await handler(call());
  assert.equal(world.logs.length, 1);
  const line = JSON.parse(world.logs[0]);
  assert.equal(line.page_id, PAGE_ID);
  assert.equal(line.story_id, STORY_ID);
  assert.equal(line.outcome, "completed");
  assert.equal(typeof line.ms, "number");
  assert.ok(!world.logs[0].includes("Mia"));
  assert.ok(!world.logs[0].includes("token="));
});

Deno.test("page-worker deletes its own objects when a newer attempt holds the lease", async () => {
  const { handler, world } = setup({ completes: false });
  assert.deepEqual(await (await handler(call())).json(), { outcome: "stale" });
  assert.equal(world.objects.size, 0);
  assert.deepEqual(world.removed.sort(), [
    `pages/${STORY_ID}/3/${LEASE}.jpg`,
    `previews/${USER_ID}/${STORY_ID}/3-${LEASE}.jpg`,
  ]);
});

Deno.test("page-worker hands a retryable provider error to the pipeline with its retry hint", async () => {
  const { handler, world } = setup({
    generate: () =>
      Promise.reject(
        new ImageProviderError("rate_limited", "the provider is busy", {
          retryable: true,
          retryAfterMs: 2500,
        }),
      ),
  });
  assert.deepEqual(await (await handler(call())).json(), { outcome: "retrying" });
  assert.deepEqual(world.failures, [{
    pageId: PAGE_ID,
    leaseToken: LEASE,
    msgId: "7",
    code: "rate_limited",
    detail: "the provider is busy",
    retryable: true,
    retryAfterSeconds: 3,
  }]);
  assert.equal(world.objects.size, 0);
  assert.equal(JSON.parse(world.logs[0]).error_code, "rate_limited");
});

Deno.test("page-worker fails the page on a provider error that retrying will not fix", async () => {
  const { handler, world } = setup({
    generate: () =>
      Promise.reject(new ImageProviderError("content_refused", "refused", { retryable: false })),
  });
  assert.deepEqual(await (await handler(call())).json(), { outcome: "failed" });
  assert.equal(world.failures[0].retryable, false);
  assert.equal(world.failures[0].retryAfterSeconds, null);
  assert.equal(world.completions.length, 0);
});

Deno.test("page-worker turns an unexpected error into a retryable internal_error and cleans up", async () => {
  const { handler, world } = setup({ failUploadTo: "previews" });
  assert.deepEqual(await (await handler(call())).json(), { outcome: "retrying" });
  const [failure] = world.failures;
  assert.equal(failure.code, "internal_error");
  assert.equal(failure.retryable, true);
  assert.ok(!failure.detail.includes("/var/lib"), "the parent-readable error carries no internals");
  assert.equal(world.objects.size, 0, "the hi-res already uploaded is removed again");
  const errorId = failure.detail.match(/log id ([0-9a-f-]{36})/)?.[1];
  assert.ok(errorId, failure.detail);
  assert.ok(world.logs.some((line) => line.includes("/var/lib") && JSON.parse(line).error_id === errorId));
});

Deno.test("page-worker fails a page whose photo is gone without calling the provider", async () => {
  const { handler, world } = setup({ task: task({ photo: null }) });
  assert.deepEqual(await (await handler(call())).json(), { outcome: "failed" });
  assert.equal(world.failures[0].code, "photo_missing");
  assert.equal(world.requests.length, 0);
});
