/**
 * fal's queue through the official client: submit with a webhook, then status, result and cancel on the URLs
 * fal returned. Every failure leaves here as an ImageProviderError whose message names no URL (the signed URLs in
 * an input carry tokens) and no prompt text (fal echoes flagged inputs in its error bodies).
 *
 * With FAL_PROXY_URL set, every request (with its `Authorization: Key …` header) goes to that proxy, which must
 * therefore be one of ours.
 */
import { ApiError, createFalClient, type UrlOptions } from "@fal-ai/client";
import { z } from "zod";
import {
  abortError,
  ImageProviderError,
  type QueuedRequestState,
  type QueuedSubmission,
} from "../images/image_provider.ts";
import type { FalCall } from "./fal_models.ts";

export interface FalQueueConfig {
  /** FAL_KEY, passed explicitly (the client does not read env in Deno). */
  credentials: string;
  /** When set, every request goes through it (client `proxyUrl: {url, when: "always"}`). */
  proxyUrl?: string;
  /** Injected for tests; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch, to read a Retry-After date; default Date.now. */
  now?: () => number;
  /** How long fal keeps our outputs (storageSettings expiresIn); ≤ 1 day. */
  outputLifetime: "1h" | "1d";
}

/** What submit answers: the request id and the URLs fal gave for it. */
export type SubmittedRequest = Omit<QueuedSubmission, "model" | "resolution">;

export interface FalQueue {
  submit(call: FalCall, options: { webhookUrl: string; signal?: AbortSignal }): Promise<SubmittedRequest>;
  status(statusUrl: string, signal?: AbortSignal): Promise<QueuedRequestState>;
  /** The output of a completed request; a failed request rejects with the mapped ImageProviderError. */
  result(responseUrl: string, signal?: AbortSignal): Promise<unknown>;
  /** "already completed" is not an error. */
  cancel(cancelUrl: string): Promise<void>;
}

const submitted = z.object({
  request_id: z.string().min(1),
  status_url: z.url(),
  response_url: z.url(),
  cancel_url: z.url(),
});

const queueStatus = z.object({
  status: z.enum(["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]),
  // fal reports inference_time in seconds.
  metrics: z.object({ inference_time: z.number().nonnegative().nullish() }).nullish(),
});

const cancelAnswer = z.object({ status: z.string() });

export function createFalQueue(config: FalQueueConfig): FalQueue {
  const baseFetch = config.fetch ?? globalThis.fetch;
  const now = config.now ?? Date.now;

  // The client retries a 429 itself, ignoring Retry-After. An error that is not an ApiError stops its retry
  // loop, so the 429 reaches our caller, who schedules the retry fal asked for.
  const fetchRefusingRateLimits: typeof fetch = async (input, init) => {
    const response = await baseFetch(input, init);
    if (response.status !== 429) return response;
    await response.body?.cancel();
    throw new ImageProviderError("rate_limited", "fal is rate limiting our requests", {
      retryable: true,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
    });
  };

  const client = createFalClient({
    credentials: config.credentials,
    fetch: fetchRefusingRateLimits,
    ...(config.proxyUrl ? { proxyUrl: { url: config.proxyUrl, when: "always" as const } } : {}),
  });

  /** GETs or PUTs a URL fal returned, exactly as returned, with our credentials and through the proxy. */
  async function send(
    url: string,
    method: "get" | "put",
    signal?: AbortSignal,
    query?: Record<string, string>,
  ): Promise<unknown> {
    const target = runTarget(url, query);
    // run() hands its options to the URL builder too (client 1.10.1), though its type names only RunOptions.
    const options = { method, abortSignal: signal, ...target.options };
    return (await client.run(target.base, options)).data;
  }

  return {
    async submit(call, { webhookUrl, signal }) {
      try {
        const queued = await client.queue.submit(call.endpointId, {
          input: call.input,
          webhookUrl,
          storageSettings: { expiresIn: config.outputLifetime },
          abortSignal: signal,
        });
        const parsed = parseAnswer(submitted, queued, "submit");
        return {
          requestId: parsed.request_id,
          statusUrl: parsed.status_url,
          responseUrl: parsed.response_url,
          cancelUrl: parsed.cancel_url,
        };
      } catch (error) {
        throw mapFalError(error, signal);
      }
    },

    async status(statusUrl, signal) {
      try {
        const answer = parseAnswer(
          queueStatus,
          await send(statusUrl, "get", signal, { logs: "0" }),
          "status",
        );
        if (answer.status === "IN_QUEUE") return { state: "queued" };
        if (answer.status === "IN_PROGRESS") return { state: "running" };
        const seconds = answer.metrics?.inference_time;
        return { state: "completed", inferenceMs: seconds == null ? null : Math.round(seconds * 1000) };
      } catch (error) {
        throw mapFalError(error, signal);
      }
    },

    async result(responseUrl, signal) {
      try {
        return await send(responseUrl, "get", signal);
      } catch (error) {
        throw mapFalError(error, signal);
      }
    },

    async cancel(cancelUrl) {
      try {
        await send(cancelUrl, "put");
      } catch (error) {
        if (
          error instanceof ApiError && cancelAnswer.safeParse(error.body).data?.status === "ALREADY_COMPLETED"
        ) {
          return;
        }
        throw mapFalError(error);
      }
    },
  };
}

/**
 * Splits a URL fal returned so the client's run() sends exactly it. run() passes a fal URL through as it is,
 * but appends "/" before adding the path and query; so the last path segment and the query go separately.
 * `defaults` are query parameters added unless the URL already has them.
 */
function runTarget(
  url: string,
  defaults: Record<string, string> = {},
): { base: string; options: UrlOptions } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageProviderError("provider_error", "the fal queue URL is malformed", { retryable: false });
  }
  // Our credentials go only to fal's own hosts.
  if (parsed.protocol !== "https:" || !/(^|\.)fal\.(run|ai)$/.test(parsed.hostname)) {
    throw new ImageProviderError("provider_error", "the queue URL is not on a fal host", {
      retryable: false,
    });
  }
  const cut = parsed.pathname.lastIndexOf("/") + 1;
  const query = { ...defaults, ...Object.fromEntries(parsed.searchParams) };
  return {
    base: `${parsed.origin}${parsed.pathname.slice(0, cut)}`,
    options: {
      path: parsed.pathname.slice(cut),
      ...(Object.keys(query).length > 0 ? { query } : {}),
    },
  };
}

function parseAnswer<T>(schema: z.ZodType<T>, answer: unknown, what: string): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    throw new ImageProviderError("provider_error", `fal's ${what} answer has an unexpected shape`, {
      retryable: true,
    });
  }
  return parsed.data;
}

/** Retry-After in milliseconds from its seconds or HTTP-date form; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** fal's error type for a prompt or image its content checker refused (https://docs.fal.ai/errors). */
const CONTENT_POLICY_VIOLATION = "content_policy_violation";

/** The one place a fal failure becomes an ImageProviderError. */
export function mapFalError(error: unknown, signal?: AbortSignal): ImageProviderError {
  if (error instanceof ImageProviderError) return error;
  if (signal?.aborted) return abortError(signal);
  if (error instanceof DOMException && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return abortError(AbortSignal.abort(error));
  }
  if (error instanceof ApiError) return classify(error.status, errorTypes(error.body));
  // Network failures: their messages name the request URL, which carries our webhook token.
  const name = error instanceof Error ? error.name : typeof error;
  return new ImageProviderError("provider_error", `fal could not be reached (${name})`, { retryable: true });
}

/** Maps a webhook with `status: "ERROR"`, e.g. error "Invalid status code: 422" and payload.detail[] types. */
export function webhookError(
  body: { error?: string; payload?: unknown; payload_error?: string },
): ImageProviderError {
  const status = /\b([1-5]\d\d)\b/.exec(body.error ?? "")?.[1];
  if (status === undefined && body.payload_error !== undefined) {
    return new ImageProviderError("provider_error", "fal could not serialize the output", {
      retryable: true,
    });
  }
  return classify(status === undefined ? undefined : Number(status), errorTypes(body.payload));
}

function classify(status: number | undefined, types: string[]): ImageProviderError {
  const answered = status === undefined ? "fal reported an error" : `fal answered ${status}`;
  const reported = types.length > 0 ? `${answered} (${types.join(", ")})` : answered;
  if (types.includes(CONTENT_POLICY_VIOLATION)) {
    return new ImageProviderError("content_refused", `${reported}: the content checker refused it`, {
      retryable: false,
    });
  }
  if (status === 429) return new ImageProviderError("rate_limited", reported, { retryable: true });
  const serverSide = status === undefined || status >= 500;
  return new ImageProviderError("provider_error", reported, { retryable: serverSide });
}

const errorBody = z.object({ detail: z.array(z.unknown()) });
const errorEntry = z.object({ type: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) });

/** The machine-readable `type` of each entry of a FastAPI-style `detail` list; never `msg` or `input`. */
function errorTypes(body: unknown): string[] {
  const detail = errorBody.safeParse(body).data?.detail ?? [];
  return detail.flatMap((entry) => errorEntry.safeParse(entry).data?.type ?? []);
}
