/**
 * The generated database types (`supabase gen types typescript`), committed at DATABASE_TYPES_PATH and checked
 * by `npm test`: they are generated from a fresh database with every migration applied, formatted with
 * `deno fmt`, and must match the committed file byte for byte.
 */
import { join } from "node:path";
import { PlatformError, run } from "./cluster.ts";
import { applyMigrations, createDatabaseFromTemplate, dropDatabase } from "./provision.ts";
import { databaseUrl, type PlatformSettings } from "./settings.ts";
import { readTextIfExists } from "../server/text_files.ts";

export const DATABASE_TYPES_PATH = "supabase/functions/_shared/database.types.ts";

export async function generateDatabaseTypes(settings: PlatformSettings): Promise<string> {
  const database = `types_${crypto.randomUUID().slice(0, 8)}`;
  await createDatabaseFromTemplate(settings, database);
  try {
    await applyMigrations(settings, database);
    const generated = await run("supabase", [
      "gen",
      "types",
      "typescript",
      `--remote=${databaseUrl(settings, database)}`,
      "--schema",
      "public",
    ], { env: { PGSSLMODE: "disable", SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" } });
    if (generated.code !== 0) {
      throw new PlatformError(`supabase gen types failed:\n${generated.stderr.trim()}`);
    }
    const formatted = await run("deno", ["fmt", "--ext", "ts", "-"], {
      stdin: generated.stdout,
      cwd: settings.repoRoot,
    });
    if (formatted.code !== 0) {
      throw new PlatformError(`deno fmt failed on the generated types:\n${formatted.stderr}`);
    }
    return formatted.stdout;
  } finally {
    await dropDatabase(settings, database);
  }
}

export async function writeDatabaseTypes(settings: PlatformSettings): Promise<string> {
  const path = join(settings.repoRoot, DATABASE_TYPES_PATH);
  await Deno.writeTextFile(path, await generateDatabaseTypes(settings));
  return path;
}

/** True when the committed types match the migrations. */
export async function databaseTypesAreCurrent(settings: PlatformSettings): Promise<boolean> {
  const committed = await readTextIfExists(join(settings.repoRoot, DATABASE_TYPES_PATH));
  return committed === await generateDatabaseTypes(settings);
}
