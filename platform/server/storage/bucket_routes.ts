/**
 * The bucket routes storage-js calls (`listBuckets`, `getBucket`, `createBucket`, `updateBucket`,
 * `emptyBucket`, `deleteBucket`). They run as the caller, so without policies on `storage.buckets` only the
 * service role can manage buckets, as on Supabase; projects usually create buckets in migrations instead.
 */
import { z } from "zod";
import { json } from "../http.ts";
import { isUuid, mustBeValidBucketName } from "./object_keys.ts";
import { withFileChanges } from "./object_files.ts";
import { StorageApiError, storageErrors } from "./storage_errors.ts";
import {
  type BucketSettings,
  countObjects,
  deleteBucket,
  deleteObjects,
  findBucket,
  insertBucket,
  listBuckets,
  objectNames,
  updateBucket,
} from "./storage_queries.ts";
import { callerOf, jsonBody, type StorageHandler, type StorageRoute } from "./storage_request.ts";
import { mustBeValidMimeTypeList, parseBucketSize } from "./upload_limits.ts";

/** How many objects one emptying round deletes. */
const EMPTY_BATCH_SIZE = 1000;

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  search: z.string().optional(),
  sortColumn: z.enum(["id", "name", "created_at", "updated_at"]).default("name"),
  sortOrder: z.enum(["asc", "desc"]).default("asc"),
});

const bucketSettingsSchema = z.object({
  public: z.boolean().optional(),
  file_size_limit: z.union([z.number().int().min(0), z.string()]).nullish(),
  allowed_mime_types: z.array(z.string()).nullish(),
}).loose();

/** Storage's validation of the size limit and allowed types a create/update asks for. */
function bucketSettings(body: z.infer<typeof bucketSettingsSchema>, globalLimit: number): BucketSettings {
  const settings: BucketSettings = { public: body.public };
  if (body.file_size_limit === null) settings.file_size_limit = null;
  else if (body.file_size_limit !== undefined) {
    settings.file_size_limit = parseBucketSize(body.file_size_limit, globalLimit);
  }
  if (body.allowed_mime_types) {
    const types = body.allowed_mime_types.filter((type) => type);
    mustBeValidMimeTypeList(types);
    settings.allowed_mime_types = types;
  } else if (body.allowed_mime_types === null) {
    settings.allowed_mime_types = null;
  }
  return settings;
}

const list: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const parsed = listQuerySchema.safeParse(Object.fromEntries(request.url.searchParams));
  if (!parsed.success) throw storageErrors.badRequest(`querystring ${parsed.error.issues[0].message}`);
  return json(await request.db.as(caller, (sql) => listBuckets(sql, parsed.data)));
};

const get: StorageHandler = async (request) => {
  const caller = callerOf(request);
  mustBeValidBucketName(request.params.id);
  const bucket = await request.db.as(caller, (sql) => findBucket(sql, request.params.id));
  if (!bucket) throw storageErrors.noSuchBucket();
  return json(bucket);
};

const create: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const body = await jsonBody(
    request.request,
    bucketSettingsSchema.extend({ name: z.string(), id: z.string().optional(), type: z.string().optional() }),
  );
  mustBeValidBucketName(body.name);
  const id = body.id || body.name;
  mustBeValidBucketName(id);
  const settings = bucketSettings(body, request.deps.globalFileSizeLimit);
  const owner = caller.userId;
  try {
    await request.db.as(caller, (sql) =>
      insertBucket(sql, {
        id,
        name: body.name,
        owner: owner !== null && isUuid(owner) ? owner : null,
        owner_id: owner,
        type: body.type,
        ...settings,
      }));
  } catch (error) {
    if (error instanceof StorageApiError && error.code === "ResourceAlreadyExists") {
      throw storageErrors.bucketAlreadyExists();
    }
    throw error;
  }
  return json({ name: body.name });
};

const update: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const bucketId = request.params.id;
  mustBeValidBucketName(bucketId);
  const body = await jsonBody(request.request, bucketSettingsSchema);
  const settings = bucketSettings(body, request.deps.globalFileSizeLimit);
  const updated = await request.db.as(caller, (sql) => updateBucket(sql, bucketId, settings));
  if (!updated) throw storageErrors.noSuchBucket();
  return json({ message: "Successfully updated" });
};

const remove: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const bucketId = request.params.id;
  mustBeValidBucketName(bucketId);
  const remaining = await request.db.asSuperUser(async (sql) => {
    if (!await findBucket(sql, bucketId)) throw storageErrors.noSuchBucket();
    return await countObjects(sql, bucketId);
  });
  if (remaining > 0) throw storageErrors.bucketNotEmpty();
  const deleted = await request.db.as(caller, (sql) => deleteBucket(sql, bucketId));
  if (!deleted) throw storageErrors.noSuchBucket();
  return json({ message: "Successfully deleted" });
};

const empty: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const bucketId = request.params.id;
  mustBeValidBucketName(bucketId);
  if (!await request.db.as(caller, (sql) => findBucket(sql, bucketId))) throw storageErrors.noSuchBucket();
  while (true) {
    const batch = await withFileChanges((keep) =>
      request.db.as(caller, async (sql) => {
        const listed = await objectNames(sql, bucketId, EMPTY_BATCH_SIZE);
        const deleted = (await deleteObjects(sql, bucketId, listed)).map((row) => row.name);
        keep(await request.deps.files.remove(bucketId, deleted));
        return { listed, deleted };
      })
    );
    if (batch.listed.length === 0) break;
    if (batch.deleted.length !== batch.listed.length) {
      const kept = batch.listed.filter((name) => !batch.deleted.includes(name));
      throw storageErrors.accessDenied(
        `Cannot delete: ${kept.join(" ,")}, you may have SELECT but not DELETE permissions`,
      );
    }
  }
  return json({ message: "Successfully emptied" });
};

export function bucketRoutes(): StorageRoute[] {
  const route = (
    method: string,
    pattern: string,
    operation: string,
    handler: StorageHandler,
  ): StorageRoute => ({
    method,
    pattern,
    auth: "required",
    operation: `storage.bucket.${operation}`,
    handler,
  });
  return [
    route("GET", "/bucket", "list", list),
    route("POST", "/bucket", "create", create),
    route("POST", "/bucket/:id/empty", "empty", empty),
    route("GET", "/bucket/:id", "get", get),
    route("PUT", "/bucket/:id", "update", update),
    route("DELETE", "/bucket/:id", "delete", remove),
  ];
}
