/**
 * Providers for tests and benchmarks: a wrapper that adds a configurable latency (standing in for a remote
 * model's queue and inference time) and a scripted provider that fails a set number of times first.
 */
import {
  abortError,
  type GeneratedImage,
  type ImageProvider,
  ImageProviderError,
  type PageImageRequest,
} from "./image_provider.ts";

/** Waits `ms`, rejecting early if `signal` aborts. Swappable so tests can use a fake clock. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export interface LatencyOptions {
  /** Fixed latency, or a function of the request (e.g. slower at print size). */
  latencyMs: number | ((request: PageImageRequest) => number);
  sleep?: Sleep;
}

/** Waits the latency (honouring the abort signal), then delegates; the result is the inner provider's. */
export function withLatency(provider: ImageProvider, options: LatencyOptions): ImageProvider {
  const sleep = options.sleep ?? realSleep;
  return {
    name: provider.name,
    async generate(request: PageImageRequest, signal?: AbortSignal): Promise<GeneratedImage> {
      const latency = typeof options.latencyMs === "function"
        ? options.latencyMs(request)
        : options.latencyMs;
      await sleep(Math.max(0, latency), signal);
      if (signal?.aborted) throw abortError(signal);
      return provider.generate(request, signal);
    },
  };
}

/** Rejects the first `failures` calls with errors from `makeError`, then delegates. Counts every call. */
export class ScriptedFailingProvider implements ImageProvider {
  readonly name: string;
  calls = 0;

  constructor(
    private readonly inner: ImageProvider,
    private readonly failures: number,
    private readonly makeError: (attempt: number) => ImageProviderError = () =>
      new ImageProviderError("provider_error", "scripted failure", { retryable: true }),
  ) {
    this.name = inner.name;
  }

  generate(request: PageImageRequest, signal?: AbortSignal): Promise<GeneratedImage> {
    this.calls++;
    if (this.calls <= this.failures) return Promise.reject(this.makeError(this.calls));
    return this.inner.generate(request, signal);
  }
}
