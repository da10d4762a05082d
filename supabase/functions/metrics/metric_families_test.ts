import assert from "node:assert/strict";
import { BOOK_COST_BUCKETS_USD, LATENCY_BUCKETS_SECONDS, metricFamilies } from "./metric_families.ts";
import type { MetricsSnapshot } from "./metrics_store.ts";
import { formatExposition } from "./prometheus_text.ts";

const latencyCounts = (counts: Record<number, number>) =>
  Array.from({ length: LATENCY_BUCKETS_SECONDS.length + 1 }, (_, index) => counts[index] ?? 0);

const SNAPSHOT: MetricsSnapshot = {
  pages: [
    { status: "pending", count: 25 },
    { status: "queued", count: 1 },
    { status: "generating", count: 0 },
    { status: "done", count: 6 },
    { status: "failed", count: 1 },
    { status: "flagged", count: 0 },
  ],
  queues: [
    { queue: "book_tasks", depth: 0, oldest_message_age_seconds: 0, messages_total: 3 },
    { queue: "page_tasks", depth: 4, oldest_message_age_seconds: 75, messages_total: 120 },
  ],
  provider_latency: [
    // Index 10 is ≤ 90 s, index 14 past 600 s.
    {
      model: "fal-ai/nano-banana-2/edit",
      stage: "generate",
      bucket_counts: latencyCounts({ 10: 2, 14: 1 }),
      sum_seconds: 790,
    },
  ],
  provider_failures: [{
    model: "fal-ai/nano-banana-2/edit",
    stage: "generate",
    code: "content_refused",
    count: 2,
  }],
  failures: [{ kind: "email", code: "validation_error", count: 1 }, {
    kind: "page",
    code: "exhausted",
    count: 3,
  }],
  book_cost: { bucket_counts: [0, 0, 0, 0, 0, 1, 0, 0, 0, 0], sum_usd: 1.38 },
  books_delivered: 7,
};

function samples(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

Deno.test("every metric is named talecraft_ and announced with HELP and TYPE", () => {
  const families = metricFamilies(SNAPSHOT);
  const text = formatExposition(families);
  for (const family of families) {
    assert.match(family.name, /^talecraft_[a-z_]+$/);
    assert.ok(text.includes(`# HELP ${family.name} `), family.name);
    assert.ok(text.includes(`# TYPE ${family.name} ${family.type}\n`), family.name);
  }
  assert.deepEqual(families.map((family) => `${family.name} ${family.type}`), [
    "talecraft_pages gauge",
    "talecraft_queue_depth gauge",
    "talecraft_queue_oldest_message_age_seconds gauge",
    "talecraft_queue_messages_total counter",
    "talecraft_provider_latency_seconds histogram",
    "talecraft_provider_call_failures_total counter",
    "talecraft_failures gauge",
    "talecraft_book_cost_usd histogram",
    "talecraft_books_delivered_total counter",
  ]);
});

Deno.test("pages are a gauge per status, queues three series per queue", () => {
  const text = formatExposition(metricFamilies(SNAPSHOT));
  assert.deepEqual(samples(text, "talecraft_pages"), [
    'talecraft_pages{status="pending"} 25',
    'talecraft_pages{status="queued"} 1',
    'talecraft_pages{status="generating"} 0',
    'talecraft_pages{status="done"} 6',
    'talecraft_pages{status="failed"} 1',
    'talecraft_pages{status="flagged"} 0',
  ]);
  assert.deepEqual(samples(text, "talecraft_queue_depth"), [
    'talecraft_queue_depth{queue="book_tasks"} 0',
    'talecraft_queue_depth{queue="page_tasks"} 4',
  ]);
  assert.deepEqual(samples(text, "talecraft_queue_oldest_message_age_seconds"), [
    'talecraft_queue_oldest_message_age_seconds{queue="book_tasks"} 0',
    'talecraft_queue_oldest_message_age_seconds{queue="page_tasks"} 75',
  ]);
  assert.deepEqual(samples(text, "talecraft_queue_messages_total"), [
    'talecraft_queue_messages_total{queue="book_tasks"} 3',
    'talecraft_queue_messages_total{queue="page_tasks"} 120',
  ]);
});

Deno.test("provider latency is a histogram per model and stage over the latency buckets", () => {
  const text = formatExposition(metricFamilies(SNAPSHOT));
  const labels = 'model="fal-ai/nano-banana-2/edit",stage="generate"';
  const buckets = samples(text, "talecraft_provider_latency_seconds_bucket");
  assert.equal(buckets.length, LATENCY_BUCKETS_SECONDS.length + 1);
  assert.equal(buckets[9], `talecraft_provider_latency_seconds_bucket{${labels},le="60"} 0`);
  assert.equal(buckets[10], `talecraft_provider_latency_seconds_bucket{${labels},le="90"} 2`);
  assert.equal(buckets[13], `talecraft_provider_latency_seconds_bucket{${labels},le="600"} 2`);
  assert.equal(buckets[14], `talecraft_provider_latency_seconds_bucket{${labels},le="+Inf"} 3`);
  assert.deepEqual(samples(text, "talecraft_provider_latency_seconds_sum"), [
    `talecraft_provider_latency_seconds_sum{${labels}} 790`,
  ]);
  assert.deepEqual(samples(text, "talecraft_provider_latency_seconds_count"), [
    `talecraft_provider_latency_seconds_count{${labels}} 3`,
  ]);
});

Deno.test("failures carry their kind and code, provider call failures their model, stage and code", () => {
  const text = formatExposition(metricFamilies(SNAPSHOT));
  assert.deepEqual(samples(text, "talecraft_failures"), [
    'talecraft_failures{kind="email",code="validation_error"} 1',
    'talecraft_failures{kind="page",code="exhausted"} 3',
  ]);
  assert.deepEqual(samples(text, "talecraft_provider_call_failures_total"), [
    'talecraft_provider_call_failures_total{model="fal-ai/nano-banana-2/edit",stage="generate",code="content_refused"} 2',
  ]);
});

Deno.test("cost per book is one histogram over the cost buckets, and books delivered a counter", () => {
  const text = formatExposition(metricFamilies(SNAPSHOT));
  const buckets = samples(text, "talecraft_book_cost_usd_bucket");
  assert.equal(buckets.length, BOOK_COST_BUCKETS_USD.length + 1);
  assert.equal(buckets[4], 'talecraft_book_cost_usd_bucket{le="1"} 0');
  assert.equal(buckets[5], 'talecraft_book_cost_usd_bucket{le="1.5"} 1');
  assert.equal(buckets.at(-1), 'talecraft_book_cost_usd_bucket{le="+Inf"} 1');
  assert.deepEqual(samples(text, "talecraft_book_cost_usd_sum"), ["talecraft_book_cost_usd_sum 1.38"]);
  assert.deepEqual(samples(text, "talecraft_books_delivered_total"), ["talecraft_books_delivered_total 7"]);
});

Deno.test("an empty project still exposes every family, with zero books and no latency series", () => {
  const text = formatExposition(metricFamilies({
    pages: [],
    queues: [],
    provider_latency: [],
    provider_failures: [],
    failures: [],
    book_cost: { bucket_counts: Array(BOOK_COST_BUCKETS_USD.length + 1).fill(0), sum_usd: 0 },
    books_delivered: 0,
  }));
  assert.equal(text.match(/^# TYPE /gm)?.length, 9);
  assert.deepEqual(samples(text, "talecraft_book_cost_usd_count"), ["talecraft_book_cost_usd_count 0"]);
  assert.deepEqual(samples(text, "talecraft_provider_latency_seconds_count"), []);
});
