/**
 * The metrics GET metrics exposes, all prefixed talecraft_, built from one database snapshot. Gauges say how
 * things are now; counters and histograms count since the project began (the history they read is never
 * deleted), so Prometheus' rate() and histogram_quantile() apply.
 */
import type { MetricFamily } from "./prometheus_text.ts";
import type { HistogramBounds, MetricsSnapshot } from "./metrics_store.ts";

/**
 * Provider latency buckets, seconds: the in-house illustrator answers within a couple of seconds, fal's queue in
 * 10–60 s, and a request the sweep recovered after minutes.
 */
export const LATENCY_BUCKETS_SECONDS = [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 300, 600] as const;

/** Cost per book buckets, USD: a book at the default fal prices costs about $1.38 (preview $0.48, print $0.90). */
export const BOOK_COST_BUCKETS_USD = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5] as const;

export const HISTOGRAM_BOUNDS: HistogramBounds = {
  latencySeconds: LATENCY_BUCKETS_SECONDS,
  bookCostUsd: BOOK_COST_BUCKETS_USD,
};

export function metricFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  return [
    {
      name: "talecraft_pages",
      help: "Story pages (covers included) by status.",
      type: "gauge",
      samples: snapshot.pages.map((page) => ({ labels: { status: page.status }, value: page.count })),
    },
    {
      name: "talecraft_queue_depth",
      help: "Messages in the queue, waiting or being worked on.",
      type: "gauge",
      samples: snapshot.queues.map((queue) => ({ labels: { queue: queue.queue }, value: queue.depth })),
    },
    {
      name: "talecraft_queue_oldest_message_age_seconds",
      help: "Age of the queue's oldest message; 0 when it is empty.",
      type: "gauge",
      samples: snapshot.queues.map((queue) => ({
        labels: { queue: queue.queue },
        value: queue.oldest_message_age_seconds,
      })),
    },
    {
      name: "talecraft_queue_messages_total",
      help: "Messages ever sent to the queue.",
      type: "counter",
      samples: snapshot.queues.map((queue) => ({
        labels: { queue: queue.queue },
        value: queue.messages_total,
      })),
    },
    {
      name: "talecraft_provider_latency_seconds",
      help: "Image provider calls that completed, by model and stage: submission to the answer reaching us.",
      type: "histogram",
      upperBounds: LATENCY_BUCKETS_SECONDS,
      series: snapshot.provider_latency.map((series) => ({
        labels: { model: series.model, stage: series.stage },
        bucketCounts: series.bucket_counts,
        sum: series.sum_seconds,
      })),
    },
    {
      name: "talecraft_provider_call_failures_total",
      help: "Image provider calls that failed or were cancelled, by model, stage and error code.",
      type: "counter",
      samples: snapshot.provider_failures.map((failure) => ({
        labels: { model: failure.model, stage: failure.stage, code: failure.code },
        value: failure.count,
      })),
    },
    {
      name: "talecraft_failures",
      help:
        "Pages, books and emails failed now and waiting for a retry or an operator, by kind and error code " +
        "(unclassified: recorded without a code).",
      type: "gauge",
      samples: snapshot.failures.map((failure) => ({
        labels: { kind: failure.kind, code: failure.code },
        value: failure.count,
      })),
    },
    {
      name: "talecraft_book_cost_usd",
      help: "What each book that went to print cost in image provider calls, its preview included.",
      type: "histogram",
      upperBounds: BOOK_COST_BUCKETS_USD,
      series: [{ bucketCounts: snapshot.book_cost.bucket_counts, sum: snapshot.book_cost.sum_usd }],
    },
    {
      name: "talecraft_books_delivered_total",
      help: "Books whose download link was emailed to the buyer.",
      type: "counter",
      samples: [{ value: snapshot.books_delivered }],
    },
  ];
}
