/**
 * The HTTP vocabulary of every function: one error shape, `{"error": {"code", "message"}}`, JSON responses with
 * CORS headers, and the single place where thrown errors become responses.
 */
import { z } from "zod";

/** An error a client is meant to see, with its status and snake_case code. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "GET, POST, OPTIONS",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "content-type": "application/json", ...headers },
  });
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Every JSON body the functions accept is small; a larger one is refused before it is parsed, or even read. */
export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

/** Reads a JSON body of at most JSON_BODY_LIMIT_BYTES, or fails with 413 payload_too_large / 400 invalid_request. */
export async function readJson(request: Request): Promise<unknown> {
  const body = await readBodyWithin(
    request,
    JSON_BODY_LIMIT_BYTES,
    () =>
      new ApiError(
        413,
        "payload_too_large",
        `The request body must be at most ${JSON_BODY_LIMIT_BYTES / 1024} KB.`,
      ),
  );
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new ApiError(400, "invalid_request", "The request body must be a JSON object.");
  }
}

/**
 * Reads a request (or response) body of at most `maxBytes`, or throws `tooLarge()`. A declared Content-Length
 * over the limit is refused before any byte is read; a body without one (chunked) is read only until it passes
 * the limit, so an oversized upload or download never sits in memory whole.
 */
export async function readBodyWithin(
  message: Request | Response,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const declared = Number(message.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await message.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!message.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = message.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** What Postgres raised: postgres.js's PostgresError, matched by shape so fakes can raise it too. */
interface DatabaseError {
  name: "PostgresError";
  code: string;
  hint?: string;
  message: string;
}

function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof Error && error.name === "PostgresError" &&
    typeof (error as DatabaseError).code === "string";
}

export interface ErrorMappingOptions {
  /** Retry-After for 429s raised by the database (TC429), in seconds. */
  retryAfterSeconds?: number;
  log?: (line: string) => void;
}

/**
 * The one mapping from a thrown error to a response: zod → 400 invalid_request naming the field, ApiError → its
 * own status, Postgres TC404 (the hint names what) → 404 `<hint>_not_found`, Postgres TC429 → 429 with
 * Retry-After, anything else → 500 internal_error whose details go to the log under an id, never to the client.
 */
export function errorResponse(error: unknown, options: ErrorMappingOptions = {}): Response {
  if (error instanceof ApiError) {
    return json(errorBody(error.code, error.message), error.status, error.headers);
  }
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join(".") : "body";
    return json(errorBody("invalid_request", `${field}: ${issue.message}`), 400);
  }
  if (isDatabaseError(error) && error.code === "TC404") {
    const what = /^[a-z_]+$/.test(error.hint ?? "") ? error.hint! : "resource";
    return json(errorBody(`${what}_not_found`, `The ${what.replaceAll("_", " ")} was not found.`), 404);
  }
  if (isDatabaseError(error) && error.code === "TC429") {
    return json(
      errorBody(
        "too_many_active_generations",
        "Too many books are being drawn for you at once; try again when one of them is ready.",
      ),
      429,
      { "retry-after": String(options.retryAfterSeconds ?? 60) },
    );
  }
  const errorId = crypto.randomUUID();
  (options.log ?? console.error)(JSON.stringify({
    level: "error",
    error_id: errorId,
    error: error instanceof Error ? error.name : typeof error,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  }));
  return json(errorBody("internal_error", `Something went wrong on our side (error id ${errorId}).`), 500);
}

/**
 * Wraps a handler: answers CORS preflights, and turns anything it throws into the one error shape.
 */
export function serveJson(
  handler: (request: Request) => Promise<Response>,
  options: ErrorMappingOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    try {
      return await handler(request);
    } catch (error) {
      return errorResponse(error, options);
    }
  };
}
