/**
 * Writing objects as Supabase Storage does: check the caller's permission with a rolled-back insert (or upsert)
 * before accepting the bytes, stage the bytes, then write the row as the caller and move the bytes into place in
 * the same transaction. If anything fails, the row is rolled back and the bytes are put back as they were.
 */
import type { Caller } from "../caller.ts";
import { isEmptyFolderPlaceholder, isUuid, mustBeValidBucketName, mustBeValidKey } from "./object_keys.ts";
import { type StagedFile, withFileChanges } from "./object_files.ts";
import { readIncomingFile } from "./incoming_file.ts";
import {
  findBucket,
  insertObject,
  type NewObject,
  type ObjectMetadata,
  upsertObject,
} from "./storage_queries.ts";
import type { StorageRequest } from "./storage_request.ts";
import { storageErrors } from "./storage_errors.ts";
import { effectiveSizeLimit } from "./upload_limits.ts";

export interface ObjectTarget {
  bucketId: string;
  name: string;
  /** The JWT `sub` that becomes `owner_id` (and `owner` when it is a uuid). */
  owner: string | null;
  upsert: boolean;
}

function ownerColumns(owner: string | null): Pick<NewObject, "owner" | "owner_id"> {
  return { owner: owner !== null && isUuid(owner) ? owner : null, owner_id: owner };
}

/** Storage's permission check for writing `target`: the same insert/upsert, rolled back. */
export async function checkCanWrite(
  request: StorageRequest,
  caller: Caller,
  target: ObjectTarget,
  probe: { metadata: Partial<ObjectMetadata>; userMetadata: Record<string, unknown> },
): Promise<void> {
  const row: NewObject = {
    id: crypto.randomUUID(),
    bucket_id: target.bucketId,
    name: target.name,
    ...ownerColumns(target.owner),
    version: "1",
    metadata: probe.metadata,
    user_metadata: probe.userMetadata,
  };
  await request.db.testPermission(
    caller,
    (sql) => target.upsert ? upsertObject(sql, row) : insertObject(sql, row),
  );
}

/** Writes the row as `caller` and renames the staged bytes into place, atomically with the row. Returns the id. */
export async function writeObject(
  request: StorageRequest,
  caller: Caller,
  target: ObjectTarget,
  content: { staged: StagedFile; metadata: ObjectMetadata; userMetadata: Record<string, unknown> },
): Promise<string> {
  const row: NewObject = {
    id: crypto.randomUUID(),
    bucket_id: target.bucketId,
    name: target.name,
    ...ownerColumns(target.owner),
    version: crypto.randomUUID(),
    metadata: content.metadata,
    user_metadata: content.userMetadata,
  };
  try {
    return await withFileChanges((keep) =>
      request.db.as(caller, async (sql) => {
        const id = target.upsert ? await upsertObject(sql, row) : await insertObject(sql, row);
        // renamed while this transaction holds the row, so concurrent writers of the name queue up behind it
        keep(await request.deps.files.place(content.staged, target.bucketId, target.name));
        return id;
      })
    );
  } catch (error) {
    // a no-op once the bytes were placed: the undo has already dealt with them
    await content.staged.discard();
    throw error;
  }
}

/** The metadata Storage records for stored bytes. */
export function objectMetadata(staged: StagedFile, mimeType: string, cacheControl: string): ObjectMetadata {
  return {
    eTag: staged.eTag,
    size: staged.size,
    mimetype: mimeType,
    cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: staged.size,
    httpStatusCode: 200,
  };
}

/**
 * An upload from a request body (POST/PUT /object/..., PUT /object/upload/sign/...), in Storage's order: bucket,
 * declared type and size, key, permission, then the bytes.
 */
export async function uploadFromRequest(
  request: StorageRequest,
  caller: Caller,
  target: ObjectTarget,
): Promise<{ id: string; key: string }> {
  mustBeValidBucketName(target.bucketId);
  const bucket = await request.db.asSuperUser((sql) => findBucket(sql, target.bucketId));
  if (!bucket) throw storageErrors.noSuchBucket();
  // a folder placeholder must be empty, whatever the bucket allows
  const placeholder = isEmptyFolderPlaceholder(target.name);
  const maxBytes = placeholder
    ? 0
    : effectiveSizeLimit(bucket.file_size_limit, request.deps.globalFileSizeLimit);
  const file = await readIncomingFile(request.request, {
    maxBytes,
    allowedMimeTypes: placeholder ? null : bucket.allowed_mime_types,
  });
  mustBeValidKey(target.name);
  request.deps.files.pathOf(target.bucketId, target.name);

  await checkCanWrite(request, caller, target, {
    metadata: { mimetype: file.mimeType, contentLength: file.declaredLength },
    userMetadata: file.userMetadata,
  });
  const staged = await request.deps.files.stage(file.body, maxBytes);
  const id = await writeObject(request, caller, target, {
    staged,
    metadata: objectMetadata(staged, file.mimeType, file.cacheControl),
    userMetadata: file.userMetadata,
  });
  return { id, key: `${target.bucketId}/${target.name}` };
}
