/**
 * The SQL the Storage stand-in runs against `storage.objects` and `storage.buckets`. Every function takes the
 * transaction it runs in; the caller decides whose role and claims that transaction carries, so the project's RLS
 * policies decide what each statement may see and change, as they do behind Supabase Storage.
 */
import type postgres from "postgres";

type Sql = postgres.TransactionSql;

/** The `metadata` column as the Storage API writes it. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  created_at: Date | null;
  updated_at: Date | null;
  last_accessed_at: Date | null;
  metadata: Partial<ObjectMetadata> | null;
  user_metadata: Record<string, unknown> | null;
}

export interface NewObject {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string;
  metadata: Partial<ObjectMetadata>;
  user_metadata: Record<string, unknown>;
}

export interface BucketRow {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: Date | null;
  updated_at: Date | null;
  type: string;
}

export interface SearchOptions {
  prefix: string;
  limit: number;
  offset: number;
  search: string;
  sortColumn: string;
  sortOrder: string;
}

export interface SearchEntry {
  name: string;
  id: string | null;
  updated_at: Date | null;
  created_at: Date | null;
  last_accessed_at: Date | null;
  metadata: Partial<ObjectMetadata> | null;
}

const objectColumns = [
  "id",
  "bucket_id",
  "name",
  "owner",
  "owner_id",
  "version",
  "created_at",
  "updated_at",
  "last_accessed_at",
  "metadata",
  "user_metadata",
];

function jsonb(sql: Sql, value: Record<string, unknown>) {
  return sql.json(value as postgres.JSONValue);
}

export async function findObject(sql: Sql, bucketId: string, name: string): Promise<ObjectRow | null> {
  const [row] = await sql<ObjectRow[]>`
    select ${sql(objectColumns)} from storage.objects where bucket_id = ${bucketId} and name = ${name}`;
  return row ?? null;
}

/** The subset of `names` the transaction's role may see. */
export async function visibleObjectNames(
  sql: Sql,
  bucketId: string,
  names: readonly string[],
): Promise<Set<string>> {
  const rows = await sql<{ name: string }[]>`
    select name from storage.objects where bucket_id = ${bucketId} and name = any(${names as string[]}::text[])`;
  return new Set(rows.map((row) => row.name));
}

/** A plain insert, as Storage creates an object: needs an INSERT policy only (no RETURNING, so no SELECT). */
export async function insertObject(sql: Sql, object: NewObject): Promise<string> {
  await sql`
    insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
    values (${object.id}, ${object.bucket_id}, ${object.name}, ${object.owner}, ${object.owner_id}, ${object.version},
            ${jsonb(sql, object.metadata)}, ${jsonb(sql, object.user_metadata)})`;
  return object.id;
}

/** Insert or overwrite, as Storage upserts: needs INSERT, plus SELECT and UPDATE when the object exists. */
export async function upsertObject(sql: Sql, object: NewObject): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
    values (${object.id}, ${object.bucket_id}, ${object.name}, ${object.owner}, ${object.owner_id}, ${object.version},
            ${jsonb(sql, object.metadata)}, ${jsonb(sql, object.user_metadata)})
    on conflict (bucket_id, name) do update
      set owner = excluded.owner,
          owner_id = excluded.owner_id,
          version = excluded.version,
          metadata = excluded.metadata,
          user_metadata = excluded.user_metadata
    returning id`;
  return row.id;
}

export async function deleteObjects(
  sql: Sql,
  bucketId: string,
  names: readonly string[],
): Promise<ObjectRow[]> {
  return await sql<ObjectRow[]>`
    delete from storage.objects where bucket_id = ${bucketId} and name = any(${names as string[]}::text[])
    returning ${sql(objectColumns)}`;
}

/** Renames an object (Storage's move): needs SELECT and UPDATE on it. Null when the caller cannot see it. */
export async function renameObject(
  sql: Sql,
  from: { bucketId: string; name: string },
  to: { bucketId: string; name: string; owner: string | null; ownerId: string | null; version: string },
): Promise<string | null> {
  const [row] = await sql<{ id: string }[]>`
    update storage.objects
       set bucket_id = ${to.bucketId}, name = ${to.name}, owner = ${to.owner}, owner_id = ${to.ownerId},
           version = ${to.version}
     where bucket_id = ${from.bucketId} and name = ${from.name}
    returning id`;
  return row?.id ?? null;
}

/** Lists one folder level through `storage.search`, which runs with the caller's RLS. */
export async function searchObjects(
  sql: Sql,
  bucketId: string,
  options: SearchOptions,
): Promise<SearchEntry[]> {
  // storage.search takes the depth to list: the prefix's segments plus the level below it
  const levels = options.prefix.split("/").length;
  return await sql<SearchEntry[]>`
    select name, id, updated_at, created_at, last_accessed_at, metadata
    from storage.search(${options.prefix}, ${bucketId}, ${options.limit}, ${levels}, ${options.offset},
                        ${options.search}, ${options.sortColumn}, ${options.sortOrder})`;
}

/** Names of up to `limit` objects of a bucket, for emptying it in batches. */
export async function objectNames(sql: Sql, bucketId: string, limit: number): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select name from storage.objects where bucket_id = ${bucketId} order by name limit ${limit}`;
  return rows.map((row) => row.name);
}

export async function countObjects(sql: Sql, bucketId: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from storage.objects where bucket_id = ${bucketId}`;
  return row.count;
}

const bucketColumns = (sql: Sql) =>
  sql`id, name, owner, public, file_size_limit::float8 as file_size_limit, allowed_mime_types, created_at,
      updated_at, type::text as type`;

export async function findBucket(sql: Sql, bucketId: string, options: { forUpdate?: boolean } = {}) {
  const [row] = await sql<BucketRow[]>`
    select ${bucketColumns(sql)} from storage.buckets where id = ${bucketId}
    ${options.forUpdate ? sql`for update` : sql``}`;
  return row ?? null;
}

export interface BucketListOptions {
  limit?: number;
  offset?: number;
  search?: string;
  sortColumn: "id" | "name" | "created_at" | "updated_at";
  sortOrder: "asc" | "desc";
}

export async function listBuckets(sql: Sql, options: BucketListOptions): Promise<BucketRow[]> {
  const order = options.sortOrder === "desc" ? sql`desc` : sql`asc`;
  return await sql<BucketRow[]>`
    select ${bucketColumns(sql)} from storage.buckets
    ${options.search ? sql`where name ilike ${"%" + options.search.replace(/[\\%_]/g, "\\$&") + "%"}` : sql``}
    order by ${sql(options.sortColumn)} ${order}
    ${options.limit !== undefined ? sql`limit ${options.limit}` : sql``}
    ${options.offset !== undefined ? sql`offset ${options.offset}` : sql``}`;
}

export interface BucketSettings {
  public?: boolean;
  file_size_limit?: number | null;
  allowed_mime_types?: string[] | null;
}

export async function insertBucket(
  sql: Sql,
  bucket:
    & { id: string; name: string; owner: string | null; owner_id: string | null; type?: string }
    & BucketSettings,
): Promise<void> {
  await sql`
    insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, type)
    values (${bucket.id}, ${bucket.name}, ${bucket.owner}, ${bucket.owner_id}, ${bucket.public ?? false},
            ${bucket.file_size_limit ?? null}, ${bucket.allowed_mime_types ?? null}::text[],
            ${bucket.type ?? "STANDARD"}::storage.buckettype)`;
}

/** Applies the given settings; false when the caller cannot see the bucket. */
export async function updateBucket(sql: Sql, bucketId: string, settings: BucketSettings): Promise<boolean> {
  // no RETURNING: like Storage, updating a bucket needs an UPDATE policy, not a SELECT one
  const result = await sql`
    update storage.buckets
       set public = coalesce(${settings.public ?? null}, public),
           file_size_limit = ${
    settings.file_size_limit === undefined ? sql`file_size_limit` : sql`${settings.file_size_limit}`
  },
           allowed_mime_types = ${
    settings.allowed_mime_types === undefined
      ? sql`allowed_mime_types`
      : sql`${settings.allowed_mime_types}::text[]`
  },
           updated_at = now()
     where id = ${bucketId}`;
  return result.count > 0;
}

export async function deleteBucket(sql: Sql, bucketId: string): Promise<boolean> {
  const result = await sql`delete from storage.buckets where id = ${bucketId}`;
  return result.count > 0;
}
