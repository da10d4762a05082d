/**
 * Responses that carry an object: its bytes (download, public and signed URLs), its headers only (HEAD), or its
 * info (GET /object/info/...), with the headers Storage's renderers set.
 */
import { json } from "../http.ts";
import type { ByteRange, ObjectFiles } from "./object_files.ts";
import type { ObjectRow } from "./storage_queries.ts";
import { StorageApiError, storageErrors } from "./storage_errors.ts";

export interface ServeOptions {
  /** `?download` / `?download=<name>`: serve as an attachment. */
  download: string | null;
  /** Signed URLs expire; Storage sends `Expires` instead of `Cache-Control` for them. */
  expires?: Date;
}

/** Storage never serves stored HTML as HTML. */
function safeContentType(mimeType: string | undefined): string {
  const type = (mimeType ?? "application/octet-stream").toLowerCase();
  return /html|xml|svg|javascript/.test(type) ? "text/plain" : type;
}

function lastModified(row: ObjectRow): string | null {
  const value = row.metadata?.lastModified ?? row.updated_at;
  return value ? new Date(value).toUTCString() : null;
}

/** `bytes=start-end`, `bytes=start-` or `bytes=-suffix` against a size; null when no range was asked. */
export function parseRange(header: string | null, size: number): ByteRange | null {
  if (!header) return null;
  const match = header.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) throw invalidRange();
  let start: number;
  let end: number;
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) throw invalidRange();
  return { start, end };
}

function invalidRange(): StorageApiError {
  return new StorageApiError("InvalidRange", 400, "invalid range provided", "invalid_range");
}

function attachmentHeader(download: string): string {
  if (download === "") return "attachment;";
  const encoded = encodeURIComponent(download);
  return `attachment; filename=${encoded}; filename*=UTF-8''${encoded};`;
}

function metadataHeaders(row: ObjectRow, headers: Headers): void {
  if (row.metadata?.eTag) headers.set("etag", row.metadata.eTag);
  const modified = lastModified(row);
  if (modified) headers.set("last-modified", modified);
}

export async function serveObject(
  files: ObjectFiles,
  request: Request,
  row: ObjectRow,
  options: ServeOptions,
): Promise<Response> {
  const size = await files.size(row.bucket_id, row.name);
  if (size === null) {
    const missing = storageErrors.bytesNotFound().toResponse();
    missing.headers.set("cache-control", "no-store");
    return missing;
  }
  const headers = new Headers({
    "accept-ranges": "bytes",
    "content-type": safeContentType(row.metadata?.mimetype),
    // With the type neutralised above, browsers must not sniff active content back into stored bytes.
    "x-content-type-options": "nosniff",
  });
  metadataHeaders(row, headers);
  if (options.expires) headers.set("expires", options.expires.toUTCString());
  else headers.set("cache-control", row.metadata?.cacheControl ?? "no-cache");
  if (options.download !== null) headers.set("content-disposition", attachmentHeader(options.download));

  const eTag = row.metadata?.eTag;
  if (eTag && request.headers.get("if-none-match") === eTag) {
    return new Response(null, { status: 304, headers });
  }

  const range = parseRange(request.headers.get("range"), size);
  const body = await files.read(row.bucket_id, row.name, range ?? undefined);
  if (body === null) return storageErrors.bytesNotFound().toResponse();
  if (range) {
    headers.set("content-range", `bytes ${range.start}-${range.end}/${size}`);
    headers.set("content-length", String(range.end - range.start + 1));
    return new Response(body, { status: 206, headers });
  }
  headers.set("content-length", String(size));
  return new Response(body, { status: 200, headers });
}

/** HEAD: the object's headers without its bytes. */
export function objectHeadResponse(row: ObjectRow): Response {
  const headers = new Headers({ "content-type": safeContentType(row.metadata?.mimetype) });
  metadataHeaders(row, headers);
  headers.set("cache-control", row.metadata?.cacheControl ?? "no-cache");
  headers.set("content-length", String(row.metadata?.contentLength ?? row.metadata?.size ?? 0));
  return new Response(null, { status: 200, headers });
}

/** GET /object/info/...: what storage-js `info()` reads. */
export function objectInfoResponse(row: ObjectRow): Response {
  const headers = new Headers();
  metadataHeaders(row, headers);
  headers.set("cache-control", row.metadata?.cacheControl ?? "no-cache");
  return json(
    {
      id: row.id,
      name: row.name,
      version: row.version,
      bucket_id: row.bucket_id,
      size: row.metadata?.size ?? null,
      content_type: row.metadata?.mimetype ?? null,
      cache_control: row.metadata?.cacheControl ?? null,
      etag: row.metadata?.eTag ?? null,
      metadata: row.user_metadata,
      last_modified: row.updated_at,
      created_at: row.created_at,
    },
    200,
    Object.fromEntries(headers),
  );
}
