/**
 * Storage as the service role, through the Storage API (storage-js): objects are never written or deleted in
 * SQL, since Storage keeps the bytes and the `storage.objects` rows together.
 */
import { createClient } from "@supabase/supabase-js";
import type { Sql } from "./database.ts";

/** What functions do with Storage, small enough to fake in unit tests. */
export interface ObjectStore {
  upload(bucket: string, path: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Deletes the objects; paths that do not exist are ignored. */
  remove(bucket: string, paths: string[]): Promise<void>;
  /** A URL that reads the object without credentials until it expires. */
  signedUrl(bucket: string, path: string, expiresInSeconds: number): Promise<string>;
  /** Signed URLs for many objects at once, keyed by path; paths that do not exist are left out. */
  signedUrls(bucket: string, paths: string[], expiresInSeconds: number): Promise<Map<string, string>>;
}

export class StorageError extends Error {
  override readonly name = "StorageError";
}

/** One object in Storage. */
export interface StoredObject {
  bucket: string;
  path: string;
}

/**
 * Deletes the objects with one remove per bucket. A failing bucket throws, unless `onError` is given: then it
 * is reported there and the other buckets are still tried (for best-effort cleanup).
 */
export async function removeObjects(
  objects: StoredObject[],
  store: Pick<ObjectStore, "remove">,
  onError?: (bucket: string, error: unknown) => void,
): Promise<void> {
  for (const [bucket, inBucket] of Map.groupBy(objects, (object) => object.bucket)) {
    try {
      await store.remove(bucket, inBucket.map((object) => object.path));
    } catch (error) {
      if (!onError) throw error;
      onError(bucket, error);
    }
  }
}

/**
 * Every storage object of the user: photos, watermarked previews, print pages and books. `sql` must be able
 * to read schema `internal` (the `postgres` role of SUPABASE_DB_URL).
 */
export async function userStorageObjects(sql: Sql, userId: string): Promise<StoredObject[]> {
  const rows = await sql<{ bucket: string; path: string }[]>`
    select bucket, path from internal.user_storage_objects(${userId}::uuid)`;
  return rows.map(({ bucket, path }) => ({ bucket, path }));
}

// Storage removes at most this many objects per request.
const REMOVE_BATCH = 1000;

export function createServiceObjectStore(supabaseUrl: string, serviceRoleKey: string): ObjectStore {
  const { storage } = createClient(supabaseUrl, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const fail = (action: string, bucket: string, error: { message: string }): never => {
    throw new StorageError(`Cannot ${action} in bucket ${bucket}: ${error.message}`);
  };
  return {
    async upload(bucket, path, bytes, contentType) {
      const { error } = await storage.from(bucket).upload(path, bytes, { contentType, upsert: false });
      if (error) fail("upload an object", bucket, error);
    },
    async remove(bucket, paths) {
      for (let start = 0; start < paths.length; start += REMOVE_BATCH) {
        const { error } = await storage.from(bucket).remove(paths.slice(start, start + REMOVE_BATCH));
        if (error) fail("remove objects", bucket, error);
      }
    },
    async signedUrl(bucket, path, expiresInSeconds) {
      const { data, error } = await storage.from(bucket).createSignedUrl(path, expiresInSeconds);
      if (error || !data) return fail("sign an object URL", bucket, error ?? { message: "no URL returned" });
      return data.signedUrl;
    },
    async signedUrls(bucket, paths, expiresInSeconds) {
      const urls = new Map<string, string>();
      if (paths.length === 0) return urls;
      const { data, error } = await storage.from(bucket).createSignedUrls(paths, expiresInSeconds);
      if (error || !data) return fail("sign object URLs", bucket, error ?? { message: "no URLs returned" });
      for (const entry of data) {
        if (entry.path && entry.signedUrl && !entry.error) urls.set(entry.path, entry.signedUrl);
      }
      return urls;
    },
  };
}

/**
 * Large objects as the book-worker moves them, never whole in memory: an object read as a stream, and an upload
 * of a stream (Storage's routes, with the bodies streamed rather than buffered).
 */
export interface StreamingObjectStore {
  read(bucket: string, path: string): Promise<ReadableStream<Uint8Array>>;
  uploadStream(
    bucket: string,
    path: string,
    body: ReadableStream<Uint8Array>,
    contentType: string,
  ): Promise<void>;
}

export function createServiceStreamingStore(
  supabaseUrl: string,
  serviceRoleKey: string,
): StreamingObjectStore {
  const objectUrl = (bucket: string, path: string) =>
    `${supabaseUrl}/storage/v1/object/${bucket}/${path.split("/").map(encodeURIComponent).join("/")}`;
  return {
    async read(bucket, path) {
      // supabase-js download() buffers the whole object; the raw route hands the body over as it arrives.
      const response = await fetch(objectUrl(bucket, path), {
        headers: { authorization: `Bearer ${serviceRoleKey}`, apikey: serviceRoleKey },
      });
      if (!response.ok || !response.body) {
        const detail = await response.text();
        throw new StorageError(`Cannot read an object in bucket ${bucket}: ${response.status} ${detail}`);
      }
      return response.body;
    },
    async uploadStream(bucket, path, body, contentType) {
      const response = await fetch(objectUrl(bucket, path), {
        method: "POST",
        headers: {
          authorization: `Bearer ${serviceRoleKey}`,
          apikey: serviceRoleKey,
          "content-type": contentType,
          // A retried assembly writes the same path: its earlier, unfinished file gives way.
          "x-upsert": "true",
        },
        body,
        // A request body that is a stream is sent as it is produced.
        duplex: "half",
      } as RequestInit);
      if (!response.ok) {
        const detail = await response.text();
        throw new StorageError(`Cannot upload an object in bucket ${bucket}: ${response.status} ${detail}`);
      }
      await response.body?.cancel();
    },
  };
}
