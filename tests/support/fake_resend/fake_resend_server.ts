/**
 * A stand-in for Resend's email API (api.resend.com), for tests. It is not Resend: it knows only
 * `POST /emails`, written from Resend's documentation (send-email, errors, idempotency keys, rate limit),
 * closely enough that the real `resend` SDK, given the fake's URL as its `baseUrl`, cannot tell the
 * difference. It delivers nothing: it records what it would have sent, and can be told to misbehave (see
 * Fault and hold()).
 *
 * - Auth: `Authorization: Bearer <key>`; none → 401 missing_api_key, another key → 403 invalid_api_key.
 * - Errors: JSON `{statusCode, name, message}`, the status repeated in the body as Resend does.
 * - Validation: a body that is not a JSON object → 400 validation_error; a missing `from`, `to`, `subject`
 *   or content (`html` or `text`) → 422 missing_required_field; a field of the wrong type, a malformed
 *   address or more than 50 recipients → 422 validation_error; an attachment with neither `content` nor
 *   `path` → 422 invalid_attachment.
 * - Idempotency-Key (1–256 characters, else 400 invalid_idempotency_key): an email sent with a key in the
 *   last 24 h is answered again with the same id and not sent twice when the payload is the same, and
 *   refused with 409 invalid_idempotent_request when it differs; while a request with the key is still in
 *   progress, another gets 409 concurrent_idempotent_requests. Only a sent email binds its key: a refused
 *   request leaves it free.
 * - Every answer carries `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (Resend's default
 *   of 2 requests per second); a 429 adds `retry-after`.
 */

export interface FakeResendOptions {
  /** The only API key accepted. */
  apiKey: string;
  /** Milliseconds since the epoch, for the 24 h idempotency window; default Date.now. */
  now?: () => number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Every request header, names in lower case. */
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
  /** The status answered; null while the request is held or delayed. */
  status: number | null;
}

export interface DeliveredEmail {
  id: string;
  idempotencyKey: string | null;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  /** The whole body as received. */
  payload: Record<string, unknown>;
}

export type Fault =
  | {
    kind: "rate_limited";
    retryAfterSeconds: number;
    /** Default rate_limit_exceeded. */
    error?: "rate_limit_exceeded" | "daily_quota_exceeded" | "monthly_quota_exceeded";
  }
  | { kind: "server_error"; status?: 500 | 502 | 503 }
  /** Answers normally after `ms`; the request's idempotency key stays in progress meanwhile. */
  | { kind: "delay"; ms: number };

export interface HeldRequest {
  /** Resolves when the held request has arrived and its idempotency key is in progress. */
  arrived: Promise<void>;
  /** Lets the request go on; resolves once it has been answered. */
  release(): Promise<void>;
}

export interface FakeResend {
  /** http://127.0.0.1:<port>, the SDK's `baseUrl`. */
  url: string;
  /** Every request received, in order of arrival. */
  requests: ReceivedRequest[];
  /** Every email sent, once each (a replay under an idempotency key adds nothing). */
  delivered: DeliveredEmail[];
  /** Queues the behaviour of the next `POST /emails`. FIFO, shared with hold(). */
  plan(fault: Fault): void;
  /** Holds the next `POST /emails` after its key is taken, until released (close() releases it too). */
  hold(): HeldRequest;
  close(): Promise<void>;
}

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_RECIPIENTS = 50;
const MAX_KEY_LENGTH = 256;
const RATE_LIMIT = 2;
/** "address@domain" or "Name <address@domain>". */
const ADDRESS = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

const SERVER_ERRORS: Record<500 | 502 | 503, { name: string; message: string }> = {
  500: { name: "application_error", message: "An unexpected error occurred." },
  502: { name: "internal_server_error", message: "Bad gateway." },
  503: { name: "internal_server_error", message: "Service unavailable." },
};

type Planned =
  | Fault
  | { kind: "hold"; arrived: PromiseWithResolvers<void>; released: Promise<void>; answered: () => void };

interface KeyEntry {
  /** The canonical payload the key was first used with. */
  payload: string;
  /** Set once sent; undefined while the first request is in progress. */
  sent?: { id: string; at: number };
}

class ApiError {
  constructor(readonly status: number, readonly name: string, readonly message: string) {}
}

export function startFakeResend(options: FakeResendOptions): Promise<FakeResend> {
  const now = options.now ?? Date.now;
  const requests: ReceivedRequest[] = [];
  const delivered: DeliveredEmail[] = [];
  const planned: Planned[] = [];
  const keys = new Map<string, KeyEntry>();
  const unreleased = new Set<() => void>();

  function rateLimitHeaders(remaining: number): Record<string, string> {
    return {
      "ratelimit-limit": String(RATE_LIMIT),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": "1",
    };
  }

  function answer(
    record: ReceivedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    record.status = status;
    return Response.json(body, {
      status,
      headers: { ...rateLimitHeaders(status === 429 ? 0 : RATE_LIMIT - 1), ...headers },
    });
  }

  function answerError(record: ReceivedRequest, error: ApiError, headers?: Record<string, string>) {
    const body = { statusCode: error.status, name: error.name, message: error.message };
    return answer(record, error.status, body, headers);
  }

  async function sendEmail(request: Request, record: ReceivedRequest): Promise<Response> {
    const authorization = request.headers.get("authorization");
    if (authorization === null || !/^Bearer\s+\S/.test(authorization)) {
      return answerError(
        record,
        new ApiError(401, "missing_api_key", "Missing API key in the authorization header."),
      );
    }
    if (authorization.replace(/^Bearer\s+/, "") !== options.apiKey) {
      return answerError(record, new ApiError(403, "invalid_api_key", "API key is invalid."));
    }

    const fault = planned.shift();
    try {
      return await answerSend(request, record, fault);
    } finally {
      // A request refused before the hold point still frees a test waiting on it.
      if (fault?.kind === "hold") {
        fault.arrived.resolve();
        fault.answered();
      }
    }
  }

  async function answerSend(request: Request, record: ReceivedRequest, fault: Planned | undefined) {
    if (fault?.kind === "rate_limited") {
      const name = fault.error ?? "rate_limit_exceeded";
      const message = name === "rate_limit_exceeded"
        ? "Too many requests. Please limit the number of requests per second."
        : "You have reached your email sending quota.";
      return answerError(record, new ApiError(429, name, message), {
        "retry-after": String(fault.retryAfterSeconds),
      });
    }
    if (fault?.kind === "server_error") {
      const status = fault.status ?? 500;
      const { name, message } = SERVER_ERRORS[status];
      return answerError(record, new ApiError(status, name, message));
    }

    const key = request.headers.get("idempotency-key");
    if (key !== null && (key.length < 1 || key.length > MAX_KEY_LENGTH)) {
      return answerError(
        record,
        new ApiError(400, "invalid_idempotency_key", "The key must be between 1-256 chars."),
      );
    }
    if (!isObject(record.body)) {
      return answerError(
        record,
        new ApiError(400, "validation_error", "The request body must be a JSON object."),
      );
    }
    const payload = record.body;
    const invalid = validate(payload);
    if (invalid) return answerError(record, invalid);

    const canonical = canonicalJson(payload);
    if (key !== null) {
      const entry = keys.get(key);
      const live = entry && (entry.sent === undefined || now() - entry.sent.at < IDEMPOTENCY_WINDOW_MS);
      if (entry && live) {
        if (entry.payload !== canonical) {
          return answerError(
            record,
            new ApiError(
              409,
              "invalid_idempotent_request",
              "Same idempotency key used with a different request payload.",
            ),
          );
        }
        if (entry.sent === undefined) {
          return answerError(
            record,
            new ApiError(
              409,
              "concurrent_idempotent_requests",
              "Same idempotency key used while original request is still in progress.",
            ),
          );
        }
        return answer(record, 200, { id: entry.sent.id });
      }
      keys.set(key, { payload: canonical });
    }

    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "hold") {
      fault.arrived.resolve();
      await fault.released;
    }

    const id = crypto.randomUUID();
    if (key !== null) keys.set(key, { payload: canonical, sent: { id, at: now() } });
    delivered.push({
      id,
      idempotencyKey: key,
      from: payload.from as string,
      to: recipients(payload.to),
      subject: payload.subject as string,
      ...(typeof payload.html === "string" ? { html: payload.html } : {}),
      ...(typeof payload.text === "string" ? { text: payload.text } : {}),
      payload,
    });
    return answer(record, 200, { id });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const { pathname } = new URL(request.url);
    const raw = await request.text();
    const record: ReceivedRequest = {
      method: request.method,
      path: pathname,
      headers: Object.fromEntries(request.headers),
      body: parseJson(raw),
      status: null,
    };
    requests.push(record);
    if (pathname !== "/emails") {
      return answerError(record, new ApiError(404, "not_found", "The requested endpoint does not exist."));
    }
    if (request.method !== "POST") {
      return answerError(
        record,
        new ApiError(405, "method_not_allowed", "Method is not allowed for the requested path."),
      );
    }
    return await sendEmail(request, record);
  });

  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    delivered,
    plan(fault) {
      planned.push(fault);
    },
    hold() {
      const arrived = Promise.withResolvers<void>();
      const released = Promise.withResolvers<void>();
      const answered = Promise.withResolvers<void>();
      planned.push({ kind: "hold", arrived, released: released.promise, answered: answered.resolve });
      unreleased.add(released.resolve);
      return {
        arrived: arrived.promise,
        release() {
          unreleased.delete(released.resolve);
          released.resolve();
          return answered.promise;
        },
      };
    },
    close() {
      // A test that failed before releasing its hold must still end rather than wait forever.
      for (const release of unreleased) release();
      return server.shutdown();
    },
  });
}

function validate(payload: Record<string, unknown>): ApiError | undefined {
  for (const field of ["from", "to", "subject"]) {
    if (payload[field] === undefined || payload[field] === null) return missingField(`\`${field}\``);
  }
  if (payload.html === undefined && payload.text === undefined && payload.template === undefined) {
    return missingField("`html` or `text`");
  }
  if (typeof payload.from !== "string" || !ADDRESS.test(payload.from.trim())) return invalidField("from");
  const to = payload.to;
  const toList = typeof to === "string" ? [to] : Array.isArray(to) ? to : null;
  if (toList === null || toList.length === 0 || !toList.every((item) => typeof item === "string")) {
    return invalidField("to");
  }
  if (toList.length > MAX_RECIPIENTS) {
    return new ApiError(422, "validation_error", `Too many recipients: the maximum is ${MAX_RECIPIENTS}.`);
  }
  if (!toList.every((item) => ADDRESS.test(item.trim()))) return invalidField("to");
  if (typeof payload.subject !== "string") return invalidField("subject");
  for (const field of ["html", "text"]) {
    if (payload[field] !== undefined && typeof payload[field] !== "string") return invalidField(field);
  }
  const attachments = payload.attachments;
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) return invalidField("attachments");
    const complete = attachments.every((item) =>
      isObject(item) && (typeof item.content === "string" || typeof item.path === "string")
    );
    if (!complete) {
      return new ApiError(422, "invalid_attachment", "Attachment must have either a content or path.");
    }
  }
  return undefined;
}

function missingField(field: string): ApiError {
  return new ApiError(422, "missing_required_field", `Missing ${field} field.`);
}

function invalidField(field: string): ApiError {
  return new ApiError(422, "validation_error", `Invalid \`${field}\` field.`);
}

function recipients(to: unknown): string[] {
  return typeof to === "string" ? [to] : (to as string[]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted, so that two payloads compare by content rather than by key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const entries = Object.keys(value).sort().filter((key) => value[key] !== undefined);
    return `{${entries.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
