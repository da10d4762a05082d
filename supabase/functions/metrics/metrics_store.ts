/** The database's side of GET metrics: one statement, one consistent snapshot (internal.metrics_snapshot). */
import type { Sql } from "../_shared/database.ts";

/** What internal.metrics_snapshot returns; bucket counts are per bucket, the last one past every bound. */
export interface MetricsSnapshot {
  pages: { status: string; count: number }[];
  queues: { queue: string; depth: number; oldest_message_age_seconds: number; messages_total: number }[];
  provider_latency: { model: string; stage: string; bucket_counts: number[]; sum_seconds: number }[];
  provider_failures: { model: string; stage: string; code: string; count: number }[];
  failures: { kind: string; code: string; count: number }[];
  book_cost: { bucket_counts: number[]; sum_usd: number };
  books_delivered: number;
}

/** The histograms' upper bounds, which the snapshot counts against. */
export interface HistogramBounds {
  latencySeconds: readonly number[];
  bookCostUsd: readonly number[];
}

export interface MetricsStore {
  snapshot(bounds: HistogramBounds): Promise<MetricsSnapshot>;
}

export function createMetricsStore(sql: Sql): MetricsStore {
  return {
    async snapshot(bounds) {
      const [row] = await sql<{ snapshot: MetricsSnapshot }[]>`
        select internal.metrics_snapshot(
          ${[...bounds.latencySeconds]}::numeric[], ${[...bounds.bookCostUsd]}::numeric[]
        ) as snapshot`;
      return row.snapshot;
    },
  };
}
