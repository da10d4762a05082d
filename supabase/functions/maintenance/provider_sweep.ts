/**
 * The lost-webhook sweep (pg_cron, every minute): provider requests whose webhook is late are asked about at
 * the provider. A finished one is fetched and finished through the same path as the webhook; one unanswered
 * past the abandon period is cancelled and its page retried. Counts only in the result: no ids, no names.
 */
import { ImageProviderError, type QueuedImageProvider } from "../_shared/images/image_provider.ts";
import type { LateCall } from "../_shared/page_store.ts";
import type { ProviderAnswer, ProviderCallFinisher } from "../_shared/provider_call_finisher.ts";

export interface ProviderSweepDeps {
  lateCalls(limit: number): Promise<LateCall[]>;
  /** Null when no queued provider is configured: there is nothing to ask. */
  provider: QueuedImageProvider | null;
  finisher: ProviderCallFinisher | null;
  log: (line: string) => void;
}

const STATUS_TIMEOUT_MS = 15_000;
/**
 * No call is started after this much of a run: pg_net gives the run 120 s and one call can take about 90 s
 * (status, result, a 60 s download). Calls left over were marked checked and come back after sweep_after.
 */
const RUN_BUDGET_MS = 30_000;

export async function sweepProviderCalls(
  deps: ProviderSweepDeps,
  limit: number,
  clock: () => number = () => performance.now(),
) {
  const counts = { checked: 0, still_running: 0, finished: 0, abandoned: 0, deferred: 0, errors: 0 };
  const { provider, finisher } = deps;
  if (!provider || !finisher) return { task: "sweep_provider_calls", ...counts };

  async function answerOf(call: LateCall): Promise<ProviderAnswer | null> {
    if (call.overdue) {
      // Best effort: a request fal no longer knows is as good as cancelled.
      await provider!.cancel(call.cancelUrl).catch(() => {});
      return {
        ok: false,
        error: new ImageProviderError("timeout", "the image provider did not answer in time", {
          retryable: true,
        }),
      };
    }
    const state = await provider!.status(call.statusUrl, AbortSignal.timeout(STATUS_TIMEOUT_MS));
    if (state.state !== "completed") return null;
    try {
      return {
        ok: true,
        output: await provider!.result(call.responseUrl, AbortSignal.timeout(STATUS_TIMEOUT_MS)),
        inferenceMs: state.inferenceMs,
      };
    } catch (error) {
      if (error instanceof ImageProviderError) return { ok: false, error };
      throw error;
    }
  }

  const started = clock();
  const calls = await deps.lateCalls(limit);
  counts.checked = calls.length;
  for (const call of calls) {
    if (clock() - started > RUN_BUDGET_MS) {
      counts.deferred++;
      continue;
    }
    try {
      const answer = await answerOf(call);
      if (!answer) {
        counts.still_running++;
        continue;
      }
      await finisher.finish(call.requestId, answer);
      if (call.overdue) counts.abandoned++;
      else counts.finished++;
    } catch (error) {
      // The next run asks again.
      counts.errors++;
      deps.log(JSON.stringify({
        level: "error",
        event: "provider_sweep_error",
        error: error instanceof Error ? error.name : typeof error,
        message: error instanceof Error ? error.message : String(error),
      }));
    }
  }
  return { task: "sweep_provider_calls", ...counts };
}
