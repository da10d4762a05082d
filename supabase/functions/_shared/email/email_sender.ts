/**
 * How the email worker hands a message to a provider: Resend through its official SDK, or the offline
 * stand-in that sends nothing (the worker keeps every message in the outbox table either way).
 *
 * Every failure leaves here as an EmailSendError whose message names no address: Resend's own error messages
 * can quote the recipient, so they are never copied.
 */
import { Resend } from "resend";

export interface EmailMessage {
  /** "Name <address>"; when absent, the sender's configured address. */
  from?: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface SendOptions {
  /** Sent as `Idempotency-Key`; Resend sends one email per key within 24 h, e.g. `book-ready/<order id>`. */
  idempotencyKey: string;
  signal?: AbortSignal;
}

export interface EmailSender {
  readonly name: string;
  /** Rejects with EmailSendError only. */
  send(message: EmailMessage, options: SendOptions): Promise<{ providerMessageId: string | null }>;
}

export type EmailSendErrorCode =
  | "rate_limited"
  | "quota_exceeded"
  /** Resend answered 5xx or could not process the request. */
  | "provider_unavailable"
  /** No answer at all. */
  | "network_error"
  /** The same key is still being processed by Resend: retry later with the same key. */
  | "idempotency_in_progress"
  /**
   * The key already belongs to a different payload. The original may have been sent, so it is not resent: an
   * operator decides.
   */
  | "idempotency_conflict"
  | "unauthorized"
  /** Any other refusal (validation, unverified domain...): resending the same request cannot succeed. */
  | "rejected"
  | "aborted"
  | "timeout";

export interface EmailSendErrorOptions {
  retryable: boolean;
  /** When to try again, from Retry-After or a documented default. */
  retryAfterMs?: number;
  /** Resend's error name (e.g. "rate_limit_exceeded"), when it gave one. */
  providerError?: string;
  /** The HTTP status, when there was an answer. */
  status?: number;
  cause?: unknown;
}

export class EmailSendError extends Error {
  override readonly name = "EmailSendError";
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly providerError?: string;
  readonly status?: number;

  constructor(readonly code: EmailSendErrorCode, message: string, options: EmailSendErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.providerError !== undefined) this.providerError = options.providerError;
    if (options.status !== undefined) this.status = options.status;
  }
}

export interface ResendSenderConfig {
  /** RESEND_API_KEY, passed explicitly. */
  apiKey: string;
  /** Default https://api.resend.com; tests point it at the fake Resend server. */
  baseUrl?: string;
  /** The default sender, "Name <address>" on a domain verified at Resend. */
  from: string;
}

export const RESEND_API_URL = "https://api.resend.com";

/** Resend's default limit is 2 requests per second per team: one second is enough when it gives no hint. */
const RATE_LIMIT_RETRY_MS = 1_000;
/** Quotas are daily or monthly; without a hint an hourly retry keeps the key's 24 h window useful. */
const QUOTA_RETRY_MS = 60 * 60 * 1_000;
/** The docs only say "try the request again later" for a key that is still in progress. */
const IN_PROGRESS_RETRY_MS = 1_000;

const AUTH_ERRORS = new Set(["missing_api_key", "invalid_api_key", "restricted_api_key"]);

/** Resend's error as the SDK hands it over: its parsed JSON body, or the SDK's own for no answer. */
interface ResendError {
  name?: unknown;
  statusCode?: unknown;
  /** Never copied: it can quote the recipient. */
  message?: unknown;
}

export function createResendSender(config: ResendSenderConfig): EmailSender {
  // The SDK reads RESEND_API_KEY from the process environment when given an empty key, and RESEND_BASE_URL
  // when given no base URL: both are always passed so that only this configuration counts.
  if (config.apiKey === "") throw new TypeError("the Resend sender needs an API key");
  const resend = new Resend(config.apiKey, { baseUrl: config.baseUrl ?? RESEND_API_URL });

  return {
    name: "resend",
    async send(message, { idempotencyKey, signal }) {
      const payload = {
        from: message.from ?? config.from,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
      };
      let response: Awaited<ReturnType<typeof resend.emails.send>>;
      try {
        response = await resend.emails.send(payload, { idempotencyKey, signal });
      } catch (error) {
        // The SDK reports HTTP and network failures in its result; a throw is an abort it let through.
        if (signal?.aborted) throw abortError(signal);
        throw new EmailSendError("network_error", "the Resend client failed before an answer", {
          retryable: true,
          cause: error,
        });
      }
      if (response.error) throw mapResendError(response.error, response.headers, signal);
      return { providerMessageId: response.data.id };
    },
  };
}

/**
 * The offline stand-in: it sends nothing and has no provider id to give. The worker stores each message in
 * the outbox table before sending, so the outbox (shown by the dev console) is where these emails end up.
 */
export function createOutboxSender(): EmailSender {
  return {
    name: "outbox stand-in (sends nothing)",
    send(_message, { signal }) {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      return Promise.resolve({ providerMessageId: null });
    },
  };
}

/** The one place a Resend error becomes an EmailSendError. */
export function mapResendError(
  error: ResendError,
  headers: Record<string, string> | null,
  signal?: AbortSignal,
): EmailSendError {
  const name = typeof error.name === "string" ? error.name : "unknown";
  const status = typeof error.statusCode === "number" ? error.statusCode : undefined;
  const hint = retryAfterMs(headers);
  const details = { providerError: name, ...(status === undefined ? {} : { status }) };

  // The SDK answers a failed fetch, aborts included, with an error that has no status.
  if (status === undefined) {
    if (signal?.aborted) return abortError(signal);
    return new EmailSendError("network_error", "Resend could not be reached", {
      retryable: true,
      ...details,
    });
  }
  switch (name) {
    case "invalid_idempotent_request":
      return new EmailSendError(
        "idempotency_conflict",
        "Resend holds another email under this idempotency key; it may have been sent, so it is not resent",
        { retryable: false, ...details },
      );
    case "concurrent_idempotent_requests":
      return new EmailSendError(
        "idempotency_in_progress",
        "Resend is still processing an email with this idempotency key",
        { retryable: true, retryAfterMs: hint ?? IN_PROGRESS_RETRY_MS, ...details },
      );
    case "daily_quota_exceeded":
    case "monthly_quota_exceeded":
      return new EmailSendError("quota_exceeded", `Resend refused the email: ${name}`, {
        retryable: true,
        retryAfterMs: hint ?? QUOTA_RETRY_MS,
        ...details,
      });
  }
  if (status === 429) {
    return new EmailSendError("rate_limited", "Resend is rate limiting our requests", {
      retryable: true,
      retryAfterMs: hint ?? RATE_LIMIT_RETRY_MS,
      ...details,
    });
  }
  if (status >= 500 || name === "application_error" || name === "internal_server_error") {
    return new EmailSendError("provider_unavailable", `Resend failed to process the email (${status})`, {
      retryable: true,
      ...(hint === undefined ? {} : { retryAfterMs: hint }),
      ...details,
    });
  }
  if (AUTH_ERRORS.has(name)) {
    return new EmailSendError("unauthorized", `Resend refused our API key: ${name}`, {
      retryable: false,
      ...details,
    });
  }
  return new EmailSendError("rejected", `Resend refused the email: ${name} (${status})`, {
    retryable: false,
    ...details,
  });
}

/** Resend documents `retry-after` (and `ratelimit-reset`) as a number of seconds. */
function retryAfterMs(headers: Record<string, string> | null): number | undefined {
  for (const name of ["retry-after", "ratelimit-reset"]) {
    const value = headers?.[name]?.trim();
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  }
  return undefined;
}

/** "timeout" when the signal's reason is a TimeoutError, else "aborted"; both retryable with the same key. */
function abortError(signal: AbortSignal): EmailSendError {
  const reason = signal.reason;
  const timedOut = reason instanceof DOMException && reason.name === "TimeoutError";
  return new EmailSendError(
    timedOut ? "timeout" : "aborted",
    timedOut ? "sending the email timed out" : "sending the email was aborted",
    { retryable: true, cause: reason },
  );
}
