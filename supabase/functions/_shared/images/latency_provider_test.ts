import assert from "node:assert/strict";
import {
  type GeneratedImage,
  type ImageProvider,
  ImageProviderError,
  type PageImageRequest,
} from "./image_provider.ts";
import { realSleep, ScriptedFailingProvider, type Sleep, withLatency } from "./latency_provider.ts";

const REQUEST: PageImageRequest = {
  storyId: "s",
  pageNumber: 3,
  themeId: "magic_castle",
  style: "photorealistic",
  prompt: "",
  negativePrompt: "",
  seed: 1,
  size: 1024,
  references: [],
};

function recordingProvider(): ImageProvider & { calls: PageImageRequest[] } {
  const calls: PageImageRequest[] = [];
  return {
    name: "recorder",
    calls,
    generate(request) {
      calls.push(request);
      const image: GeneratedImage = {
        bytes: new Uint8Array([1, 2, 3]),
        contentType: "image/jpeg",
        width: 1,
        height: 1,
        provider: "recorder",
        model: "test",
      };
      return Promise.resolve(image);
    },
  };
}

Deno.test("latency wrapper: waits the configured latency before delegating", async () => {
  const events: string[] = [];
  const inner = recordingProvider();
  const sleep: Sleep = (ms) => {
    events.push(`sleep ${ms}`);
    return Promise.resolve();
  };
  const wrapped = withLatency(
    { name: inner.name, generate: (r, s) => (events.push("generate"), inner.generate(r, s)) },
    { latencyMs: 750, sleep },
  );
  const result = await wrapped.generate(REQUEST);
  assert.deepEqual(events, ["sleep 750", "generate"]);
  assert.equal(result.model, "test");
  assert.equal(wrapped.name, "recorder");
});

Deno.test("latency wrapper: the latency may depend on the request", async () => {
  const asked: number[] = [];
  const wrapped = withLatency(recordingProvider(), {
    latencyMs: (request) => (request.size === 3075 ? 300 : 100),
    sleep: (ms) => (asked.push(ms), Promise.resolve()),
  });
  await wrapped.generate(REQUEST);
  await wrapped.generate({ ...REQUEST, size: 3075 });
  assert.deepEqual(asked, [100, 300]);
});

Deno.test("latency wrapper: aborting during the wait rejects without calling the provider", async () => {
  const inner = recordingProvider();
  const controller = new AbortController();
  const pending = withLatency(inner, { latencyMs: 60_000 }).generate(REQUEST, controller.signal);
  controller.abort();
  await assert.rejects(pending, (error: ImageProviderError) => error.code === "aborted");
  assert.equal(inner.calls.length, 0);
});

Deno.test("latency wrapper: a timeout signal rejects with code timeout", async () => {
  const inner = recordingProvider();
  await assert.rejects(
    withLatency(inner, { latencyMs: 60_000 }).generate(REQUEST, AbortSignal.timeout(10)),
    (error: ImageProviderError) => error.code === "timeout" && error.retryable,
  );
  assert.equal(inner.calls.length, 0);
});

Deno.test("latency wrapper: the real sleep resolves after its delay", async () => {
  const started = performance.now();
  await realSleep(20);
  assert.ok(performance.now() - started >= 19);
});

Deno.test("scripted failing provider: fails the given number of times, then succeeds", async () => {
  const inner = recordingProvider();
  const provider = new ScriptedFailingProvider(
    inner,
    2,
    (attempt) =>
      new ImageProviderError("rate_limited", `attempt ${attempt}`, { retryable: true, retryAfterMs: 1000 }),
  );
  for (const attempt of [1, 2]) {
    await assert.rejects(
      provider.generate(REQUEST),
      (error: ImageProviderError) =>
        error.code === "rate_limited" && error.retryAfterMs === 1000 &&
        error.message === `attempt ${attempt}`,
    );
  }
  assert.equal((await provider.generate(REQUEST)).model, "test");
  assert.equal(provider.calls, 3);
  assert.equal(inner.calls.length, 1);
});
