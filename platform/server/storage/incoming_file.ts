/**
 * The file an upload request carries, read the way Supabase Storage reads it: a raw body (content type from
 * `content-type`, `cache-control` kept as sent, user metadata from the base64 JSON `x-metadata` header) or a
 * multipart form (fields `cacheControl`, `metadata`, `contentType`, then the file part), checked against the
 * bucket's allowed types and size limit.
 */
import { MultipartError, type MultipartPart, parseMultipart } from "./multipart.ts";
import { storageErrors } from "./storage_errors.ts";
import { mustBeAllowedMimeType } from "./upload_limits.ts";

export interface IncomingFile {
  /** The bytes still to be read; raw bodies are streamed, at most `maxBytes` of them are accepted. */
  body: ReadableStream<Uint8Array> | null;
  mimeType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown>;
  /** The declared size, when the request says it; given to the RLS check as `metadata.contentLength`. */
  declaredLength: number | undefined;
}

export interface IncomingFileRules {
  maxBytes: number;
  /** Empty or null when the bucket allows every type. */
  allowedMimeTypes: readonly string[] | null;
}

const MAX_USER_METADATA_BYTES = 1024 * 1024;
/** Room for the form's boundaries, headers and fields around the file itself. */
const MULTIPART_ENVELOPE_BYTES = 2 * 1024 * 1024;

/** The `x-metadata` header: base64 of a JSON object; anything else counts as no metadata, as in Storage. */
export function decodeUserMetadata(base64: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))),
    );
    return parsed !== null && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

function checkMimeType(mimeType: string, rules: IncomingFileRules): void {
  if (rules.allowedMimeTypes && rules.allowedMimeTypes.length > 0) {
    mustBeAllowedMimeType(mimeType, rules.allowedMimeTypes);
  }
}

function declaredLength(request: Request): number | undefined {
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  return Number.isFinite(length) && length >= 0 ? length : undefined;
}

/** Reads at most `limit` bytes of a body; more is refused as too large. */
async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (body) {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > limit) throw storageErrors.entityTooLarge();
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function fromMultipart(request: Request, rules: IncomingFileRules): Promise<IncomingFile> {
  const contentType = request.headers.get("content-type") ?? "";
  const bytes = await readAtMost(request.body, rules.maxBytes + MULTIPART_ENVELOPE_BYTES);
  let parts: MultipartPart[];
  try {
    parts = parseMultipart(bytes, contentType);
  } catch (error) {
    if (error instanceof MultipartError) throw storageErrors.noContentProvided();
    throw error;
  }
  const file = parts.find((part) => part.filename !== null);
  if (!file) throw storageErrors.noContentProvided();
  const field = (name: string) => {
    const part = parts.find((candidate) => candidate.name === name && candidate.filename === null);
    return part ? new TextDecoder().decode(part.body) : undefined;
  };

  const cacheTime = field("cacheControl");
  // a part without its own content type is text, as multipart/form-data defines it
  const mimeType = field("contentType") || file.contentType || "text/plain";
  checkMimeType(mimeType, rules);
  const metadataText = field("metadata") ?? field("userMetadata");
  if (
    metadataText !== undefined && new TextEncoder().encode(metadataText).byteLength > MAX_USER_METADATA_BYTES
  ) {
    throw storageErrors.entityTooLarge("user_metadata");
  }
  if (file.body.byteLength > rules.maxBytes) throw storageErrors.entityTooLarge();
  return {
    body: streamOf(file.body),
    mimeType,
    cacheControl: cacheTime ? `max-age=${cacheTime}` : "no-cache",
    userMetadata: metadataText === undefined ? {} : parseJsonObject(metadataText),
    declaredLength: declaredLength(request),
  };
}

function fromRawBody(request: Request, rules: IncomingFileRules): IncomingFile {
  const mimeType = request.headers.get("content-type") || "application/octet-stream";
  checkMimeType(mimeType, rules);
  const length = declaredLength(request);
  // a declared size over the limit is refused before any byte is read, as Storage does
  if (length !== undefined && length > rules.maxBytes) throw storageErrors.entityTooLarge();
  const metadataHeader = request.headers.get("x-metadata");
  return {
    body: request.body,
    mimeType,
    cacheControl: request.headers.get("cache-control") ?? "no-cache",
    userMetadata: metadataHeader === null ? {} : decodeUserMetadata(metadataHeader),
    declaredLength: length,
  };
}

export async function readIncomingFile(request: Request, rules: IncomingFileRules): Promise<IncomingFile> {
  const contentType = request.headers.get("content-type") ?? "";
  return contentType.startsWith("multipart/form-data")
    ? await fromMultipart(request, rules)
    : fromRawBody(request, rules);
}
