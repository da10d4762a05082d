import assert from "node:assert/strict";
import { abortError, ImageProviderError } from "./image_provider.ts";

Deno.test("image provider error: carries code, retryability, retry hint and cause", () => {
  const cause = new Error("socket closed");
  const error = new ImageProviderError("rate_limited", "slow down", {
    retryable: true,
    retryAfterMs: 5000,
    cause,
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ImageProviderError");
  assert.deepEqual([error.code, error.retryable, error.retryAfterMs, error.cause], [
    "rate_limited",
    true,
    5000,
    cause,
  ]);
  assert.equal(new ImageProviderError("content_refused", "no", { retryable: false }).retryAfterMs, undefined);
});

Deno.test("image provider error: an abort is 'timeout' for a timeout reason and 'aborted' otherwise", () => {
  const timedOut = new AbortController();
  timedOut.abort(new DOMException("late", "TimeoutError"));
  assert.equal(abortError(timedOut.signal).code, "timeout");
  const cancelled = new AbortController();
  cancelled.abort();
  assert.equal(abortError(cancelled.signal).code, "aborted");
});
