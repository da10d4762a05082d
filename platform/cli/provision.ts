/**
 * Brings a database to the state Supabase's image gives a project: stand-in extensions installed in the server,
 * the platform bootstrap applied, then the project's migrations (through the real Supabase CLI) and seed.
 */
import { join } from "node:path";
import { databaseExists, PlatformError, run, runSql } from "./cluster.ts";
import { databaseUrl, type PlatformSettings, TEMPLATE_DATABASE } from "./settings.ts";
import { sha256Hex } from "../../scripts/sha256_hex.ts";
import { hasThemesFolder, syncThemes } from "../../scripts/sync_themes.ts";
import { readTextIfExists } from "../server/text_files.ts";

async function sortedEntries(dir: string, suffix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(suffix)) names.push(entry.name);
  }
  return names.sort();
}

/** The stand-in extensions as a project's migration creates them (as `postgres`), for test databases. */
export const EXTENSIONS_SQL = `create extension if not exists pgmq;
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron;`;

/** Copies each stand-in extension (control file + SQL scripts) into the server's extension directory. */
export async function installExtensions(settings: PlatformSettings): Promise<string[]> {
  const sharedir = (await run("pg_config", ["--sharedir"])).stdout.trim();
  const target = join(sharedir, "extension");
  const source = join(settings.repoRoot, "platform", "extensions");
  const installed: string[] = [];
  for await (const extension of Deno.readDir(source)) {
    if (!extension.isDirectory) continue;
    for (const file of await sortedEntries(join(source, extension.name), "")) {
      if (!file.endsWith(".control") && !file.endsWith(".sql")) continue;
      try {
        await Deno.copyFile(join(source, extension.name, file), join(target, file));
      } catch (error) {
        if (error instanceof Deno.errors.PermissionDenied) {
          throw new PlatformError(
            `Cannot write ${target}: installing the stand-in extensions needs root once ` +
              `(sudo cp platform/extensions/*/* ${target}/).`,
          );
        }
        throw error;
      }
    }
    installed.push(extension.name);
  }
  return installed.sort();
}

/** A fingerprint of everything the bootstrap depends on, so an unchanged platform skips re-applying it. */
export async function bootstrapFingerprint(settings: PlatformSettings): Promise<string> {
  return await sha256Hex(await bootstrapSources(settings));
}

async function bootstrapSources(settings: PlatformSettings): Promise<string> {
  const parts: string[] = [];
  for (const folder of ["bootstrap", "extensions"]) {
    const root = join(settings.repoRoot, "platform", folder);
    const walk = async (dir: string) => {
      const entries = [];
      for await (const entry of Deno.readDir(dir)) entries.push(entry);
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory) await walk(path);
        else parts.push(path, await Deno.readTextFile(path));
      }
    };
    await walk(root);
  }
  return parts.join("\0");
}

export async function applyBootstrap(settings: PlatformSettings, database: string): Promise<void> {
  const dir = join(settings.repoRoot, "platform", "bootstrap");
  for (const file of await sortedEntries(dir, ".sql")) {
    await runSql(settings, database, { file: join(dir, file) });
  }
}

/** (Re)creates the template that test databases are cloned from: bootstrap applied, no project migrations. */
export async function rebuildTemplate(settings: PlatformSettings): Promise<void> {
  if (await databaseExists(settings, TEMPLATE_DATABASE)) {
    await runSql(settings, "postgres", {
      text: `alter database ${TEMPLATE_DATABASE} is_template false; drop database ${TEMPLATE_DATABASE};`,
    }, { singleTransaction: false });
  }
  await runSql(settings, "postgres", { text: `create database ${TEMPLATE_DATABASE} owner postgres;` }, {
    singleTransaction: false,
  });
  await applyBootstrap(settings, TEMPLATE_DATABASE);
  await runSql(settings, "postgres", { text: `alter database ${TEMPLATE_DATABASE} is_template true;` });
}

/** A fresh database cloned from the template, for tests that need their own. */
export async function createDatabaseFromTemplate(
  settings: PlatformSettings,
  database: string,
): Promise<void> {
  await runSql(settings, "postgres", {
    text:
      `drop database if exists ${database} with (force); create database ${database} template ${TEMPLATE_DATABASE} owner postgres;`,
  }, { singleTransaction: false });
}

export async function dropDatabase(settings: PlatformSettings, database: string): Promise<void> {
  await runSql(settings, "postgres", { text: `drop database if exists ${database} with (force);` }, {
    singleTransaction: false,
  });
}

/** Applies pending migrations of `workdir/supabase/migrations` with the Supabase CLI, as `db push` would. */
export async function applyMigrations(
  settings: PlatformSettings,
  database: string,
  workdir = settings.repoRoot,
): Promise<string> {
  const result = await run("supabase", [
    "migration",
    "up",
    "--workdir",
    workdir,
    `--remote=${databaseUrl(settings, database)}`,
    "--yes",
  ], { env: { PGSSLMODE: "disable", SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" } });
  if (result.code !== 0) {
    throw new PlatformError(`Applying migrations to ${database} failed:\n${result.stderr.trim()}`);
  }
  return (result.stdout + result.stderr).trim();
}

/**
 * Brings a database to the project's current shape: its migrations (Supabase CLI), then its theme catalogue
 * from `themes/` when the project has one. Every database the product runs on is made this way.
 */
export async function applyProject(
  settings: PlatformSettings,
  database: string,
  projectDir = settings.repoRoot,
): Promise<{ migrations: string; themes: number | null }> {
  const migrations = await applyMigrations(settings, database, projectDir);
  const themes = await hasThemesFolder(projectDir)
    ? (await syncThemes(databaseUrl(settings, database), projectDir)).length
    : null;
  return { migrations, themes };
}

/**
 * Loads `supabase/seed.sql` once per content: its hash is recorded in the CLI's own `seed_files` table, so a
 * second start does not load the same seed twice (the same bookkeeping `db push --include-seed` keeps).
 */
export async function applySeed(settings: PlatformSettings, database: string, workdir = settings.repoRoot) {
  const seedPath = join(workdir, "supabase", "seed.sql");
  const seed = await readTextIfExists(seedPath);
  if (seed === null) return "no seed";
  const hash = await sha256Hex(seed);
  // As `postgres`, like the CLI, so that the CLI can keep using the schema afterwards.
  const seen = await runSql(settings, database, {
    text: `create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.seed_files (path text primary key, hash text not null);
      select hash from supabase_migrations.seed_files where path = 'supabase/seed.sql';`,
  }, { user: "postgres" });
  if (seen === hash) return "seed unchanged";
  // Seeds run as `postgres`, as the Supabase CLI runs them.
  await runSql(settings, database, { file: seedPath }, { user: "postgres" });
  await runSql(settings, database, {
    text: `insert into supabase_migrations.seed_files (path, hash) values ('supabase/seed.sql', '${hash}')
      on conflict (path) do update set hash = excluded.hash;`,
  }, { user: "postgres" });
  return "seed loaded";
}
