import assert from "node:assert/strict";
import {
  ImageProviderError,
  type QueuedImageProvider,
  type QueuedRequestState,
} from "../_shared/images/image_provider.ts";
import type { LateCall } from "../_shared/page_store.ts";
import type { ProviderAnswer, ProviderCallFinisher } from "../_shared/provider_call_finisher.ts";
import { sweepProviderCalls } from "./provider_sweep.ts";

function lateCall(name: string, overdue = false): LateCall {
  const base = `https://queue.fal.run/fal-ai/nano-banana-2/requests/req-${name}`;
  return {
    requestId: `req-${name}`,
    statusUrl: `${base}/status`,
    responseUrl: base,
    cancelUrl: `${base}/cancel`,
    overdue,
  };
}

const OUTPUT = { images: [{ url: "https://v3.fal.media/files/page.jpeg" }] };

interface ProviderScript {
  /** The state (or failure) of each request, keyed by request name. */
  status?: Record<string, QueuedRequestState | Error>;
  /** The output (or failure) of each completed request, keyed by request name. */
  result?: Record<string, unknown | Error>;
  cancelFails?: boolean;
}

function setup(calls: LateCall[], script: ProviderScript = {}, withProvider = true) {
  const asked: string[] = [];
  const finished: { requestId: string; answer: ProviderAnswer }[] = [];
  const logs: string[] = [];
  const limits: number[] = [];
  const nameOf = (url: string) => /req-([a-z0-9-]+?)(\/|$)/.exec(url)![1];
  const answer = <T>(value: T | Error | undefined): Promise<T> =>
    value instanceof Error ? Promise.reject(value) : Promise.resolve(value as T);

  const provider: QueuedImageProvider = {
    name: "fal",
    queued: true,
    submit: () => Promise.reject(new Error("the sweep never submits")),
    status(statusUrl, signal) {
      asked.push(`status:${nameOf(statusUrl)}`);
      assert.ok(signal, "a status call is bounded in time");
      return answer(script.status?.[nameOf(statusUrl)] ?? { state: "running" });
    },
    result(responseUrl, signal) {
      asked.push(`result:${nameOf(responseUrl)}`);
      assert.ok(signal, "a result call is bounded in time");
      return answer(script.result?.[nameOf(responseUrl)] ?? OUTPUT);
    },
    cancel(cancelUrl) {
      asked.push(`cancel:${nameOf(cancelUrl)}`);
      return script.cancelFails
        ? Promise.reject(new ImageProviderError("provider_error", "fal answered 404", { retryable: false }))
        : Promise.resolve();
    },
    producedImage: () => assert.fail("the sweep leaves the output to the finisher"),
    costUsd: () => assert.fail("the sweep leaves the price to the finisher"),
  };
  const finisher: ProviderCallFinisher = {
    finish(requestId, answer) {
      finished.push({ requestId, answer });
      return Promise.resolve("completed");
    },
  };
  const deps = {
    lateCalls(limit: number) {
      limits.push(limit);
      return Promise.resolve(calls);
    },
    provider: withProvider ? provider : null,
    finisher: withProvider ? finisher : null,
    log: (line: string) => logs.push(line),
  };
  return { deps, asked, finished, logs, limits };
}

Deno.test("without a queued provider the sweep checks nothing and does not ask for late calls", async () => {
  const { deps, limits, asked } = setup([lateCall("a")], {}, false);
  const result = await sweepProviderCalls(deps, 50);
  assert.deepEqual(result, {
    task: "sweep_provider_calls",
    checked: 0,
    still_running: 0,
    finished: 0,
    abandoned: 0,
    deferred: 0,
    errors: 0,
  });
  assert.deepEqual(limits, []);
  assert.deepEqual(asked, []);
});

Deno.test("the sweep asks for at most `limit` late calls", async () => {
  const { deps, limits } = setup([]);
  await sweepProviderCalls(deps, 25);
  assert.deepEqual(limits, [25]);
});

Deno.test("a queued or running request is left alone", async () => {
  const { deps, asked, finished } = setup([lateCall("queued"), lateCall("running")], {
    status: { queued: { state: "queued" }, running: { state: "running" } },
  });
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.checked, 2);
  assert.equal(result.still_running, 2);
  assert.equal(result.finished, 0);
  assert.deepEqual(asked, ["status:queued", "status:running"]);
  assert.deepEqual(finished, []);
});

Deno.test("a completed request is fetched and finished with its output and inference time", async () => {
  const { deps, asked, finished } = setup([lateCall("done")], {
    status: { done: { state: "completed", inferenceMs: 5400 } },
  });
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.finished, 1);
  assert.deepEqual(asked, ["status:done", "result:done"]);
  assert.deepEqual(finished, [{
    requestId: "req-done",
    answer: { ok: true, output: OUTPUT, inferenceMs: 5400 },
  }]);
});

Deno.test("a completed request whose result is a failure is finished with that error", async () => {
  const refused = new ImageProviderError("content_refused", "fal answered 422 (content_policy_violation)", {
    retryable: false,
  });
  const { deps, finished } = setup([lateCall("refused")], {
    status: { refused: { state: "completed", inferenceMs: null } },
    result: { refused },
  });
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.finished, 1);
  assert.equal(result.errors, 0);
  assert.deepEqual(finished, [{ requestId: "req-refused", answer: { ok: false, error: refused } }]);
});

Deno.test("an overdue request is cancelled and finished with a retryable timeout", async () => {
  const { deps, asked, finished } = setup([lateCall("late", true)]);
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.abandoned, 1);
  assert.equal(result.finished, 0);
  assert.deepEqual(asked, ["cancel:late"], "an overdue request is not asked about");
  assert.equal(finished.length, 1);
  const { requestId, answer } = finished[0];
  assert.equal(requestId, "req-late");
  assert.ok(!answer.ok);
  assert.ok(answer.error instanceof ImageProviderError);
  assert.equal(answer.error.code, "timeout");
  assert.equal(answer.error.retryable, true);
});

Deno.test("an overdue request is abandoned even when the provider refuses to cancel it", async () => {
  const { deps, finished } = setup([lateCall("gone", true)], { cancelFails: true });
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.abandoned, 1);
  assert.equal(result.errors, 0);
  assert.equal(finished.length, 1);
  assert.ok(!finished[0].answer.ok && finished[0].answer.error.code === "timeout");
});

Deno.test("a failing status call is counted and the other requests are still swept", async () => {
  const { deps, finished, asked } = setup([lateCall("broken"), lateCall("done"), lateCall("late", true)], {
    status: {
      broken: new ImageProviderError("provider_error", "fal could not be reached (TypeError)", {
        retryable: true,
      }),
      done: { state: "completed", inferenceMs: 1000 },
    },
  });
  const result = await sweepProviderCalls(deps, 50);
  assert.deepEqual(result, {
    task: "sweep_provider_calls",
    checked: 3,
    still_running: 0,
    finished: 1,
    abandoned: 1,
    deferred: 0,
    errors: 1,
  });
  assert.deepEqual(asked, ["status:broken", "status:done", "result:done", "cancel:late"]);
  assert.deepEqual(finished.map((call) => call.requestId), ["req-done", "req-late"]);
});

Deno.test("a result failing with anything but a provider error is counted, not finished", async () => {
  const { deps, finished } = setup([lateCall("odd")], {
    status: { odd: { state: "completed", inferenceMs: null } },
    result: { odd: new TypeError("unexpected") },
  });
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.errors, 1);
  assert.equal(result.finished, 0);
  assert.deepEqual(finished, []);
});

Deno.test("a finisher failure is counted and the next request is still finished", async () => {
  const { deps, finished } = setup([lateCall("first"), lateCall("second")], {
    status: { first: { state: "completed", inferenceMs: 1 }, second: { state: "completed", inferenceMs: 2 } },
  });
  const finish = deps.finisher!.finish;
  deps.finisher = {
    finish: (requestId, answer) =>
      requestId === "req-first"
        ? Promise.reject(new Error("the database is away"))
        : finish(requestId, answer),
  };
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(result.errors, 1);
  assert.equal(result.finished, 1);
  assert.deepEqual(finished.map((call) => call.requestId), ["req-second"]);
});

Deno.test("the sweep's log and result name no request, call or URL", async () => {
  const { deps, logs } = setup([lateCall("secret")], {
    status: { secret: new ImageProviderError("provider_error", "fal answered 500", { retryable: true }) },
  });
  const result = await sweepProviderCalls(deps, 50);
  assert.equal(logs.length, 1);
  const line = JSON.parse(logs[0]);
  assert.equal(line.event, "provider_sweep_error");
  assert.equal(line.error, "ImageProviderError");
  for (const text of [logs[0], JSON.stringify(result)]) {
    assert.ok(!text.includes("secret"), text);
    assert.ok(!text.includes("queue.fal.run"), text);
  }
});

Deno.test("past its time budget a run starts no more calls and leaves them to a later run", async () => {
  const { deps, asked } = setup([lateCall("first"), lateCall("second"), lateCall("third")]);
  let now = 0;
  // Each status call takes 20 s of the run's 30 s.
  const slowStatus = deps.provider!.status;
  deps.provider!.status = (url, signal) => {
    now += 20_000;
    return slowStatus(url, signal);
  };
  const result = await sweepProviderCalls(deps, 50, () => now);
  assert.deepEqual(asked, ["status:first", "status:second"]);
  assert.equal(result.still_running, 2);
  assert.equal(result.deferred, 1);
});
