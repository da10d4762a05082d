/**
 * The object routes of Supabase Storage that storage-js calls (paths relative to /storage/v1). Each handler reads
 * and writes `storage.objects` as the caller, so the project's RLS policies decide: upload needs INSERT (upsert
 * also SELECT and UPDATE), download, sign and list need SELECT, remove needs DELETE and SELECT, move needs UPDATE
 * and SELECT, copy needs SELECT on the source and INSERT on the destination. Public buckets and signed URLs are
 * served as Storage's service role.
 */
import { z } from "zod";
import type { Caller } from "../caller.ts";
import { json } from "../http.ts";
import { decodeUserMetadata } from "./incoming_file.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./object_keys.ts";
import { checkCanWrite, objectMetadata, uploadFromRequest, writeObject } from "./object_writes.ts";
import { objectHeadResponse, objectInfoResponse, serveObject } from "./object_responses.ts";
import { withFileChanges } from "./object_files.ts";
import { signDownloadUrl, signUploadUrl, verifySignedUrlToken } from "./storage_auth.ts";
import { storageErrors } from "./storage_errors.ts";
import {
  deleteObjects,
  findBucket,
  findObject,
  type ObjectRow,
  renameObject,
  searchObjects,
  visibleObjectNames,
} from "./storage_queries.ts";
import {
  callerOf,
  jsonBody,
  objectParams,
  type StorageHandler,
  type StorageRequest,
  type StorageRoute,
} from "./storage_request.ts";

/**
 * The object a read route names, looked up as Storage does: public buckets as the service role, private ones as
 * the caller (and not at all without a valid JWT, which Storage reports as a missing bucket).
 */
async function findReadableObject(request: StorageRequest, caller: Caller | null): Promise<ObjectRow> {
  const { bucketId, name } = objectParams(request);
  const bucket = await request.db.asSuperUser((sql) => findBucket(sql, bucketId));
  if (!bucket) throw storageErrors.noSuchBucket();
  let row: ObjectRow | null;
  if (bucket.public) row = await request.db.asSuperUser((sql) => findObject(sql, bucketId, name));
  else if (caller) row = await request.db.as(caller, (sql) => findObject(sql, bucketId, name));
  else throw storageErrors.noSuchBucket();
  if (!row) throw storageErrors.noSuchKey();
  return row;
}

function queryToken(request: StorageRequest): string {
  const token = request.url.searchParams.get("token");
  if (!token) throw storageErrors.badRequest("querystring must have required property 'token'");
  return token;
}

/** Removes rows as the caller and their bytes with them; the bytes come back if the transaction fails. */
async function removeObjects(
  request: StorageRequest,
  caller: Caller,
  bucketId: string,
  names: readonly string[],
): Promise<ObjectRow[]> {
  return await withFileChanges((keep) =>
    request.db.as(caller, async (sql) => {
      const deleted = await deleteObjects(sql, bucketId, names);
      keep(await request.deps.files.remove(bucketId, deleted.map((row) => row.name)));
      return deleted;
    })
  );
}

const upload = (operation: "create" | "update"): StorageHandler => async (request) => {
  const caller = callerOf(request);
  const { id, key } = await uploadFromRequest(request, caller, {
    bucketId: request.params.bucket,
    name: request.params["*"],
    owner: caller.userId,
    // PUT overwrites by definition; POST only when asked
    upsert: operation === "update" || request.request.headers.get("x-upsert") === "true",
  });
  return json({ Id: id, Key: key });
};

const download = (auth: "caller" | "public"): StorageHandler => async (request) => {
  const row = await findReadableObject(request, auth === "caller" ? request.caller : null);
  return await serveObject(request.deps.files, request.request, row, {
    download: request.url.searchParams.get("download"),
  });
};

const head = (auth: "caller" | "public"): StorageHandler => async (request) =>
  objectHeadResponse(await findReadableObject(request, auth === "caller" ? request.caller : null));

const info = (auth: "caller" | "public"): StorageHandler => async (request) =>
  objectInfoResponse(await findReadableObject(request, auth === "caller" ? request.caller : null));

const signedDownload: StorageHandler = async (request) => {
  const { bucketId, name } = objectParams(request);
  const payload = await verifySignedUrlToken(
    request.deps.keys,
    queryToken(request),
    bucketId,
    name,
    "download",
  );
  const row = await request.db.asSuperUser((sql) => findObject(sql, bucketId, name));
  if (!row) throw storageErrors.noSuchKey();
  return await serveObject(request.deps.files, request.request, row, {
    download: request.url.searchParams.get("download"),
    expires: new Date((payload.exp ?? 0) * 1000),
  });
};

const expiresInSchema = z.number().int().min(1);

const signUrl: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const { bucketId, name } = objectParams(request);
  const { expiresIn } = await jsonBody(request.request, z.object({ expiresIn: expiresInSchema }).loose());
  const row = await request.db.as(caller, (sql) => findObject(sql, bucketId, name));
  if (!row) throw storageErrors.noSuchKey();
  return json({ signedURL: await signDownloadUrl(request.deps.keys, bucketId, name, expiresIn) });
};

const signUrls: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const bucketId = request.params.bucket;
  mustBeValidBucketName(bucketId);
  const { expiresIn, paths } = await jsonBody(
    request.request,
    z.object({ expiresIn: expiresInSchema, paths: z.array(z.string()).min(1) }).loose(),
  );
  const visible = await request.db.as(caller, (sql) => visibleObjectNames(sql, bucketId, paths));
  const signed = await Promise.all(
    paths.map(async (path) =>
      visible.has(path)
        ? {
          error: null,
          path,
          signedURL: await signDownloadUrl(request.deps.keys, bucketId, path, expiresIn),
        }
        : { error: "Either the object does not exist or you do not have access to it", path, signedURL: null }
    ),
  );
  return json(signed);
};

const signUploadUrlHandler: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const { bucketId, name } = objectParams(request);
  const upsert = request.request.headers.get("x-upsert") === "true";
  await checkCanWrite(request, caller, { bucketId, name, owner: caller.userId, upsert }, {
    metadata: {},
    userMetadata: {},
  });
  return json(await signUploadUrl(request.deps.keys, bucketId, name, caller.userId, upsert));
};

const uploadToSignedUrl = (serviceCaller: Caller): StorageHandler => async (request) => {
  const bucketId = request.params.bucket;
  const name = request.params["*"];
  const payload = await verifySignedUrlToken(
    request.deps.keys,
    queryToken(request),
    bucketId,
    name,
    "upload",
  );
  const { key } = await uploadFromRequest(request, serviceCaller, {
    bucketId,
    name,
    owner: typeof payload.owner === "string" ? payload.owner : null,
    upsert: payload.upsert === true,
  });
  return json({ Key: key });
};

const listSchema = z.object({
  prefix: z.string(),
  limit: z.number().int().min(1).optional(),
  offset: z.number().int().min(0).optional(),
  sortBy: z.object({
    column: z.enum(["name", "updated_at", "created_at", "last_accessed_at"]),
    order: z.enum(["asc", "desc"]).optional(),
  }).optional(),
  search: z.string().optional(),
}).loose();

const list: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const bucketId = request.params.bucket;
  mustBeValidBucketName(bucketId);
  const body = await jsonBody(request.request, listSchema);
  // Storage treats the prefix as a folder
  const prefix = body.prefix.length > 0 && !body.prefix.endsWith("/") ? `${body.prefix}/` : body.prefix;
  const entries = await request.db.as(caller, (sql) =>
    searchObjects(sql, bucketId, {
      prefix,
      limit: body.limit ?? 100,
      offset: body.offset ?? 0,
      search: body.search ?? "",
      sortColumn: body.sortBy?.column ?? "name",
      sortOrder: body.sortBy?.order ?? "asc",
    }));
  return json(entries);
};

const removeMany: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const bucketId = request.params.bucket;
  mustBeValidBucketName(bucketId);
  const { prefixes } = await jsonBody(
    request.request,
    z.object({ prefixes: z.array(z.string()).min(1) }).loose(),
  );
  return json(await removeObjects(request, caller, bucketId, prefixes));
};

const removeOne: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const { bucketId, name } = objectParams(request);
  const removed = await removeObjects(request, caller, bucketId, [name]);
  if (removed.length === 0) throw storageErrors.noSuchKey();
  return json({ message: "Successfully deleted" });
};

const transferSchema = z.object({
  bucketId: z.string(),
  sourceKey: z.string(),
  destinationKey: z.string(),
  destinationBucket: z.string().nullish(),
}).loose();

const move: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const body = await jsonBody(request.request, transferSchema);
  const from = { bucketId: body.bucketId, name: body.sourceKey };
  const to = { bucketId: body.destinationBucket || body.bucketId, name: body.destinationKey };
  mustBeValidBucketName(from.bucketId);
  mustBeValidBucketName(to.bucketId);
  mustBeValidKey(to.name);
  await withFileChanges((keep) =>
    request.db.as(caller, async (sql) => {
      const id = await renameObject(sql, from, {
        ...to,
        owner: caller.userId,
        ownerId: caller.userId,
        version: crypto.randomUUID(),
      });
      if (id === null) throw storageErrors.noSuchKey();
      keep(await request.deps.files.move(from, to));
    })
  );
  return json({ message: "Successfully moved" });
};

const copySchema = transferSchema.extend({
  metadata: z.object({ cacheControl: z.string().optional(), mimetype: z.string().optional() }).loose()
    .optional(),
  copyMetadata: z.boolean().optional(),
});

const copy: StorageHandler = async (request) => {
  const caller = callerOf(request);
  const body = await jsonBody(request.request, copySchema);
  const sourceBucket = body.bucketId;
  const target = {
    bucketId: body.destinationBucket || body.bucketId,
    name: body.destinationKey,
    owner: caller.userId,
    upsert: request.request.headers.get("x-upsert") === "true",
  };
  mustBeValidBucketName(sourceBucket);
  mustBeValidBucketName(target.bucketId);
  const source = await request.db.as(caller, (sql) => findObject(sql, sourceBucket, body.sourceKey));
  if (!source) throw storageErrors.noSuchKey();
  mustBeValidKey(target.name);

  const copyMetadata = body.copyMetadata ?? true;
  const baseMetadata = copyMetadata ? { ...source.metadata } : { ...source.metadata, ...body.metadata };
  const metadataHeader = request.request.headers.get("x-metadata");
  const userMetadata = copyMetadata
    ? source.user_metadata ?? {}
    : metadataHeader === null
    ? {}
    : decodeUserMetadata(metadataHeader);
  await checkCanWrite(request, caller, target, { metadata: baseMetadata, userMetadata });

  const staged = await request.deps.files.stageCopy(sourceBucket, body.sourceKey);
  const metadata = {
    ...baseMetadata,
    ...objectMetadata(
      staged,
      baseMetadata.mimetype ?? "application/octet-stream",
      baseMetadata.cacheControl ?? "no-cache",
    ),
  };
  const id = await writeObject(request, caller, target, { staged, metadata, userMetadata });
  const copied = await request.db.asSuperUser((sql) => findObject(sql, target.bucketId, target.name));
  return json({ Id: id, Key: `${target.bucketId}/${target.name}`, ...copied });
};

export function objectRoutes(serviceCaller: Caller): StorageRoute[] {
  const route = (
    method: string,
    pattern: string,
    auth: StorageRoute["auth"],
    operation: string,
    handler: StorageHandler,
  ): StorageRoute => ({ method, pattern, auth, operation: `storage.object.${operation}`, handler });
  return [
    route("POST", "/object/list/:bucket", "required", "list", list),
    route("POST", "/object/move", "required", "move", move),
    route("POST", "/object/copy", "required", "copy", copy),
    route("POST", "/object/sign/:bucket", "required", "sign_many", signUrls),
    route("POST", "/object/sign/:bucket/*", "required", "sign", signUrl),
    route("GET", "/object/sign/:bucket/*", "none", "get_signed", signedDownload),
    route("POST", "/object/upload/sign/:bucket/*", "required", "sign_upload_url", signUploadUrlHandler),
    route("PUT", "/object/upload/sign/:bucket/*", "none", "upload_signed", uploadToSignedUrl(serviceCaller)),
    route("GET", "/object/public/:bucket/*", "none", "get_public", download("public")),
    route("HEAD", "/object/public/:bucket/*", "none", "info_public", head("public")),
    route("GET", "/object/authenticated/:bucket/*", "required", "get_authenticated", download("caller")),
    route("HEAD", "/object/authenticated/:bucket/*", "required", "info_authenticated", head("caller")),
    route("GET", "/object/info/public/:bucket/*", "none", "info_public", info("public")),
    route("GET", "/object/info/authenticated/:bucket/*", "required", "info_authenticated", info("caller")),
    route("GET", "/object/info/:bucket/*", "optional", "info_authenticated", info("caller")),
    route("POST", "/object/:bucket/*", "required", "upload", upload("create")),
    route("PUT", "/object/:bucket/*", "required", "upload_update", upload("update")),
    route("GET", "/object/:bucket/*", "optional", "get_authenticated", download("caller")),
    route("HEAD", "/object/:bucket/*", "optional", "info_authenticated", head("caller")),
    route("DELETE", "/object/:bucket/*", "required", "delete", removeOne),
    route("DELETE", "/object/:bucket", "required", "delete_many", removeMany),
  ];
}
