/**
 * A fingerprint of everything a request to the project could change, to tell "nothing changed" from
 * "something changed" around one request:
 *
 * - every row of every table of the database (`public`, `internal`, `storage`, `auth`, the pgmq queues and
 *   archives, `realtime.messages`, `vault`, ...), each row hashed whole (md5 of its jsonb), so that counts
 *   and contents are compared at once; a row that is updated shows as one removed and one added;
 * - every file under the platform's storage folder of this database, the staging folder included (a file
 *   left half-written by a refused upload is a change), each hashed with its path.
 *
 * No column is left out: the bad-input suite pauses the database's cron jobs while it runs (see
 * inputs_suite.ts), so nothing moves between two fingerprints but what the request did. Only two schemas are
 * not fingerprinted, besides the system catalogues; see UNFINGERPRINTED_SCHEMAS.
 */
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import type postgres from "postgres";

/**
 * Not fingerprinted, besides the system catalogues: the logs of the platform's background halves. `net` holds
 * the request a dispatch sends, which the platform's sender then works off on its own time; `cron` holds the
 * jobs (which the suite pauses) and their run log.
 */
const UNFINGERPRINTED_SCHEMAS = ["pg_catalog", "information_schema", "pg_toast", "net", "cron"];

/** Per part ("schema.table", or "files:<top folder>"), the sorted hashes of its rows or files. */
export type StateFingerprint = Map<string, string[]>;

export interface PartChange {
  added: number;
  removed: number;
}

export interface Fingerprinter {
  take(): Promise<StateFingerprint>;
}

/** `admin` must read every table (the bootstrap superuser does); `storageRoot` is storageDir/<database>. */
export function createFingerprinter(admin: postgres.Sql, storageRoot: string): Fingerprinter {
  let tables: Promise<{ parts: string[]; query: string }> | null = null;

  /** One query that hashes every row of every table, each row tagged with its table. */
  async function listTables(): Promise<{ parts: string[]; query: string }> {
    const rows = await admin<{ schema: string; name: string }[]>`
      select n.nspname as schema, c.relname as name
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname <> all(${UNFINGERPRINTED_SCHEMAS}) and c.relkind in ('r', 'p') and not c.relispartition
       order by 1, 2`;
    const parts = rows.map(({ schema, name }) => `${schema}.${name}`);
    const query = rows.map(({ schema, name }, index) =>
      `select ${literal(parts[index])} as part, md5(to_jsonb(t)::text) as hash from ${identifier(schema)}.${
        identifier(name)
      } t`
    ).join("\nunion all\n");
    return { parts, query };
  }

  return {
    async take() {
      tables ??= listTables();
      const { parts, query } = await tables;
      const fingerprint: StateFingerprint = new Map(parts.map((part) => [part, []]));
      for (const row of await admin.unsafe<{ part: string; hash: string }[]>(query)) {
        fingerprint.get(row.part)!.push(row.hash);
      }
      for (const [part, hashes] of await fileHashes(storageRoot)) fingerprint.set(part, hashes);
      for (const hashes of fingerprint.values()) hashes.sort();
      return fingerprint;
    },
  };
}

/** What changed per part: rows (or files) that appeared and that disappeared; unchanged parts left out. */
export function diffFingerprints(before: StateFingerprint, after: StateFingerprint): Map<string, PartChange> {
  const changes = new Map<string, PartChange>();
  for (const part of new Set([...before.keys(), ...after.keys()])) {
    const counts = new Map<string, number>();
    for (const hash of before.get(part) ?? []) counts.set(hash, (counts.get(hash) ?? 0) - 1);
    for (const hash of after.get(part) ?? []) counts.set(hash, (counts.get(hash) ?? 0) + 1);
    let added = 0;
    let removed = 0;
    for (const count of counts.values()) {
      if (count > 0) added += count;
      else removed -= count;
    }
    if (added > 0 || removed > 0) changes.set(part, { added, removed });
  }
  return changes;
}

/** Files grouped by top folder (a bucket, or the staging folder), each hashed with its relative path. */
async function fileHashes(root: string): Promise<Map<string, string[]>> {
  const parts = new Map<string, string[]>();
  for (const path of await filesUnder(root)) {
    const name = relative(root, path);
    const bytes = await Deno.readFile(path);
    const hash = createHash("sha256").update(`${name}\0`).update(bytes).digest("hex");
    const part = `files:${name.split("/")[0]}`;
    parts.set(part, [...parts.get(part) ?? [], hash]);
  }
  return parts;
}

async function filesUnder(folder: string): Promise<string[]> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(folder));
  } catch (error) {
    // No file has been stored for this database yet.
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) files.push(...await filesUnder(path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
