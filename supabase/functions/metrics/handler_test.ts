import assert from "node:assert/strict";
import { createMetricsHandler } from "./handler.ts";
import { BOOK_COST_BUCKETS_USD, LATENCY_BUCKETS_SECONDS } from "./metric_families.ts";
import type { HistogramBounds, MetricsSnapshot, MetricsStore } from "./metrics_store.ts";

const SERVICE_KEY = "service-role-key";

const SNAPSHOT: MetricsSnapshot = {
  pages: [{ status: "pending", count: 5 }, { status: "done", count: 6 }],
  queues: [{ queue: "page_tasks", depth: 2, oldest_message_age_seconds: 12, messages_total: 40 }],
  provider_latency: [{
    model: "storybook-v1",
    stage: "generate",
    bucket_counts: [0, 0, 1, 5, ...Array(LATENCY_BUCKETS_SECONDS.length - 3).fill(0)],
    sum_seconds: 9.5,
  }],
  provider_failures: [],
  failures: [{ kind: "page", code: "provider_error", count: 1 }],
  book_cost: { bucket_counts: [1, ...Array(BOOK_COST_BUCKETS_USD.length).fill(0)], sum_usd: 0 },
  books_delivered: 1,
};

function setup(store?: Partial<MetricsStore>) {
  const reads: HistogramBounds[] = [];
  const logs: string[] = [];
  const handler = createMetricsHandler({
    store: {
      snapshot: (bounds) => {
        reads.push(bounds);
        return Promise.resolve(SNAPSHOT);
      },
      ...store,
    },
    config: { serviceRoleKey: SERVICE_KEY },
    log: (line) => logs.push(line),
  });
  const get = (
    headers: Record<string, string> = { authorization: `Bearer ${SERVICE_KEY}` },
    method = "GET",
  ) => handler(new Request("http://functions.test/metrics", { method, headers }));
  return { get, reads, logs };
}

Deno.test("with the service key, GET answers the metrics as Prometheus text 0.0.4", async () => {
  const { get, reads } = setup();
  const response = await get();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(response.headers.get("cache-control"), "no-store");
  const text = await response.text();
  assert.match(text, /^# HELP talecraft_pages /);
  assert.match(text, /\ntalecraft_pages\{status="done"\} 6\n/);
  assert.match(
    text,
    /\ntalecraft_provider_latency_seconds_bucket\{model="storybook-v1",stage="generate",le="2.5"\} 6\n/,
  );
  assert.match(text, /\ntalecraft_books_delivered_total 1\n$/);
  assert.deepEqual(reads, [{ latencySeconds: LATENCY_BUCKETS_SECONDS, bookCostUsd: BOOK_COST_BUCKETS_USD }]);
});

Deno.test("without the service key, or with another, it answers 401 and reads nothing", async () => {
  const { get, reads } = setup();
  for (
    const headers of [{} as Record<string, string>, { authorization: "Bearer not-the-key" }, {
      authorization: SERVICE_KEY,
    }]
  ) {
    const response = await get(headers);
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), {
      error: { code: "unauthorized", message: "This function accepts service credentials only." },
    });
  }
  assert.equal(reads.length, 0);
});

Deno.test("another method is 405 in the error shape, naming GET", async () => {
  const { get } = setup();
  const response = await get(undefined, "POST");
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "GET");
  assert.equal((await response.json()).error.code, "method_not_allowed");
});

Deno.test("a database failure is a 500 whose details go to the log under an id", async () => {
  const { get, logs } = setup({ snapshot: () => Promise.reject(new Error("connection refused")) });
  const response = await get();
  assert.equal(response.status, 500);
  const { error } = await response.json();
  assert.equal(error.code, "internal_error");
  assert.doesNotMatch(error.message, /connection refused/);
  assert.match(logs[0], /connection refused/);
  assert.ok(logs[0].includes(error.message.match(/error id ([0-9a-f-]+)/)[1]));
});
