/**
 * Upload limits as Supabase Storage enforces them: the project-wide `[storage] file_size_limit` of
 * `supabase/config.toml`, each bucket's `file_size_limit` (the smaller wins) and `allowed_mime_types`.
 */
import { z } from "zod";
import { storageErrors } from "./storage_errors.ts";

/** The Supabase CLI's default `[storage] file_size_limit`. */
export const DEFAULT_FILE_SIZE_LIMIT = 50 * 1024 * 1024;

const binaryUnits: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * A size as the Supabase CLI reads it from config.toml ("50MiB", "50MB", "1GB", "1024"): every unit is binary,
 * with or without the `i`.
 */
export function parseConfigSize(value: string | number): number {
  if (typeof value === "number") return value;
  const match = value.trim().match(/^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i);
  if (!match) throw new Error(`invalid size "${value}"; use e.g. "50MiB"`);
  return Math.floor(Number(match[1]) * binaryUnits[match[2].toLowerCase()]);
}

const configSchema = z.object({
  storage: z.object({ file_size_limit: z.union([z.string(), z.number()]).optional() }).loose().optional(),
}).loose();

/** The project-wide upload limit in bytes: `[storage] file_size_limit` of a parsed config.toml. */
export function globalFileSizeLimit(document: unknown, source = "config.toml"): number {
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues[0]?.message}`);
  const limit = parsed.data.storage?.file_size_limit;
  return limit === undefined ? DEFAULT_FILE_SIZE_LIMIT : parseConfigSize(limit);
}

/** A bucket size limit as the Storage API accepts it on bucket create/update ("20GB", "20MB", "30KB", "3B"). */
export function parseBucketSize(value: number | string, globalLimit: number): number {
  let bytes: number;
  if (typeof value === "number") {
    bytes = value;
  } else {
    const match = value.match(/^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i);
    if (!match) throw storageErrors.invalidFileSizeLimit();
    const decimalUnits: Record<string, number> = { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 };
    bytes = Number(Number.parseFloat(match[1]).toPrecision(3)) * decimalUnits[match[2].toLowerCase()];
  }
  if (bytes > globalLimit) throw storageErrors.entityTooLarge();
  return bytes;
}

/** The most bytes one upload may carry: the bucket limit when set, capped by the global one. */
export function effectiveSizeLimit(bucketLimit: number | null, globalLimit: number): number {
  return bucketLimit === null ? globalLimit : Math.min(bucketLimit, globalLimit);
}

/**
 * Refuses a content type the bucket does not allow. `type/*` allows every subtype; anything else must match the
 * type and the subtype (including any parameters) exactly, as Storage compares them.
 */
export function mustBeAllowedMimeType(mimeType: string, allowed: readonly string[]): void {
  const [type, subtype] = mimeType.split("/");
  if (subtype === undefined) throw storageErrors.invalidMimeType(mimeType);
  const ok = allowed.some((entry) => {
    const [allowedType, allowedSubtype] = entry.split("/");
    return allowedType === type && (allowedSubtype === "*" || allowedSubtype === subtype);
  });
  if (!ok) throw storageErrors.invalidMimeType(mimeType);
}

/** Validates the `allowed_mime_types` of a bucket create/update request. */
export function mustBeValidMimeTypeList(mimeTypes: readonly string[]): void {
  for (const mimeType of mimeTypes) {
    const valid = mimeType.length <= 1000 &&
      /^([a-zA-Z0-9\-+.]+)\/([a-zA-Z0-9\-+.]+)(;\s*charset=[a-zA-Z0-9\-]+)?$|\*$/.test(mimeType);
    if (!valid) throw storageErrors.invalidMimeType(mimeType);
  }
}
