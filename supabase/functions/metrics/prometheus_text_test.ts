import assert from "node:assert/strict";
import { escapeHelp, escapeLabelValue, formatExposition, formatValue } from "./prometheus_text.ts";

Deno.test("a gauge is its HELP and TYPE lines, then one line per sample with its labels", () => {
  assert.equal(
    formatExposition([{
      name: "talecraft_pages",
      help: "Story pages by status.",
      type: "gauge",
      samples: [{ labels: { status: "done" }, value: 6 }, { labels: { status: "failed" }, value: 0 }],
    }]),
    "# HELP talecraft_pages Story pages by status.\n" +
      "# TYPE talecraft_pages gauge\n" +
      'talecraft_pages{status="done"} 6\n' +
      'talecraft_pages{status="failed"} 0\n',
  );
});

Deno.test("a sample without labels has no braces", () => {
  assert.equal(
    formatExposition([{
      name: "talecraft_books_delivered_total",
      help: "Books.",
      type: "counter",
      samples: [{ value: 3 }],
    }]),
    "# HELP talecraft_books_delivered_total Books.\n# TYPE talecraft_books_delivered_total counter\n" +
      "talecraft_books_delivered_total 3\n",
  );
});

Deno.test("a family with no samples still announces itself", () => {
  assert.equal(
    formatExposition([{ name: "talecraft_failures", help: "Failures.", type: "gauge", samples: [] }]),
    "# HELP talecraft_failures Failures.\n# TYPE talecraft_failures gauge\n",
  );
});

Deno.test("label values escape backslashes, double quotes and newlines, and nothing else", () => {
  assert.equal(escapeLabelValue('C:\\path "quoted"\nnext'), 'C:\\\\path \\"quoted\\"\\nnext');
  assert.equal(escapeLabelValue("fal-ai/nano-banana-2/edit {x=1}, é"), "fal-ai/nano-banana-2/edit {x=1}, é");
  assert.equal(
    formatExposition([{
      name: "m",
      help: "h",
      type: "gauge",
      samples: [{ labels: { code: 'a"b\\c\nd' }, value: 1 }],
    }]).split("\n")[2],
    'm{code="a\\"b\\\\c\\nd"} 1',
  );
});

Deno.test("help texts escape backslashes and newlines but keep double quotes", () => {
  assert.equal(escapeHelp('one\\two\n"three"'), 'one\\\\two\\n"three"');
});

Deno.test("values are printed as Prometheus parses them, infinities and NaN included", () => {
  assert.deepEqual(
    [0, 6, 0.254, 47.401, 1e-7, Infinity, -Infinity, Number.NaN].map(formatValue),
    ["0", "6", "0.254", "47.401", "1e-7", "+Inf", "-Inf", "NaN"],
  );
});

Deno.test("a histogram's buckets are cumulative, ascending, and end with +Inf equal to _count", () => {
  const text = formatExposition([{
    name: "talecraft_provider_latency_seconds",
    help: "Latency.",
    type: "histogram",
    upperBounds: [0.5, 1, 5, 30],
    series: [{
      labels: { model: "fal-ai/nano-banana-2/edit", stage: "generate" },
      bucketCounts: [1, 1, 1, 0, 1],
      sum: 47.401,
    }],
  }]);
  const labels = 'model="fal-ai/nano-banana-2/edit",stage="generate"';
  assert.equal(
    text,
    "# HELP talecraft_provider_latency_seconds Latency.\n" +
      "# TYPE talecraft_provider_latency_seconds histogram\n" +
      `talecraft_provider_latency_seconds_bucket{${labels},le="0.5"} 1\n` +
      `talecraft_provider_latency_seconds_bucket{${labels},le="1"} 2\n` +
      `talecraft_provider_latency_seconds_bucket{${labels},le="5"} 3\n` +
      `talecraft_provider_latency_seconds_bucket{${labels},le="30"} 3\n` +
      `talecraft_provider_latency_seconds_bucket{${labels},le="+Inf"} 4\n` +
      `talecraft_provider_latency_seconds_sum{${labels}} 47.401\n` +
      `talecraft_provider_latency_seconds_count{${labels}} 4\n`,
  );
});

Deno.test("each series of a histogram accumulates its own buckets", () => {
  const text = formatExposition([{
    name: "h",
    help: "h",
    type: "histogram",
    upperBounds: [1],
    series: [
      { labels: { stage: "generate" }, bucketCounts: [2, 1], sum: 4 },
      { labels: { stage: "upscale" }, bucketCounts: [0, 5], sum: 20 },
    ],
  }]);
  assert.deepEqual(text.split("\n").slice(2, -1), [
    'h_bucket{stage="generate",le="1"} 2',
    'h_bucket{stage="generate",le="+Inf"} 3',
    'h_sum{stage="generate"} 4',
    'h_count{stage="generate"} 3',
    'h_bucket{stage="upscale",le="1"} 0',
    'h_bucket{stage="upscale",le="+Inf"} 5',
    'h_sum{stage="upscale"} 20',
    'h_count{stage="upscale"} 5',
  ]);
});

Deno.test("a histogram without labels carries only le on its buckets", () => {
  const lines = formatExposition([{
    name: "talecraft_book_cost_usd",
    help: "Cost.",
    type: "histogram",
    upperBounds: [0.5],
    series: [{ bucketCounts: [0, 0], sum: 0 }],
  }]).split("\n");
  assert.deepEqual(lines.slice(2, -1), [
    'talecraft_book_cost_usd_bucket{le="0.5"} 0',
    'talecraft_book_cost_usd_bucket{le="+Inf"} 0',
    "talecraft_book_cost_usd_sum 0",
    "talecraft_book_cost_usd_count 0",
  ]);
});

Deno.test("a malformed family is refused rather than printed for a scraper to reject", () => {
  const histogram = (upperBounds: number[], bucketCounts: number[], labels = {}) =>
    formatExposition([{
      name: "h",
      help: "h",
      type: "histogram",
      upperBounds,
      series: [{ labels, bucketCounts, sum: 0 }],
    }]);
  assert.throws(() => histogram([1, 1], [0, 0, 0]), /strictly ascending/);
  assert.throws(() => histogram([2, 1], [0, 0, 0]), /strictly ascending/);
  assert.throws(() => histogram([1, Infinity], [0, 0, 0]), /finite/);
  assert.throws(() => histogram([1, 2], [0, 0]), /3 bucket counts expected, 2 given/);
  assert.throws(() => histogram([1], [0, 0], { le: "1" }), /"le"/);
  assert.throws(
    () => formatExposition([{ name: "talecraft-pages", help: "h", type: "gauge", samples: [] }]),
    /invalid metric name/,
  );
  assert.throws(
    () =>
      formatExposition([{
        name: "m",
        help: "h",
        type: "gauge",
        samples: [{ labels: { "1st": "x" }, value: 1 }],
      }]),
    /invalid label name/,
  );
  assert.throws(
    () =>
      formatExposition([{
        name: "m",
        help: "h",
        type: "gauge",
        samples: [{ labels: { __name__: "x" }, value: 1 }],
      }]),
    /invalid label name/,
  );
});
