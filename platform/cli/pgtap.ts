/**
 * Runs a folder of pgTAP files (`*.test.sql`) with pg_prove, as `supabase test db` does, in a fresh database:
 * - `platform`: the stand-ins' contract tests, on the bootstrap with pgmq, pg_net and pg_cron created;
 * - `project`: the product's tests, on the bootstrap with the project's migrations applied by the Supabase CLI.
 * SQL files under a `_helpers` folder are loaded first (as `postgres`) and are not tests themselves.
 */
import { join, relative } from "node:path";
import { runSql } from "./cluster.ts";
import {
  applyBootstrap,
  applyProject,
  createDatabaseFromTemplate,
  dropDatabase,
  EXTENSIONS_SQL,
} from "./provision.ts";
import type { PlatformSettings } from "./settings.ts";

export interface PgTapResult {
  files: number;
  passed: number;
  failed: number;
  ok: boolean;
}

async function collect(dir: string): Promise<{ tests: string[]; helpers: string[] }> {
  const tests: string[] = [];
  const helpers: string[] = [];
  const walk = async (folder: string, inHelpers: boolean) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) await walk(path, inHelpers || entry.name === "_helpers");
      else if (inHelpers && entry.name.endsWith(".sql")) helpers.push(path);
      else if (entry.name.endsWith(".test.sql")) tests.push(path);
    }
  };
  await walk(dir, false);
  return { tests: tests.sort(), helpers: helpers.sort() };
}

export async function runPgTap(
  settings: PlatformSettings,
  suite: "platform" | "project",
): Promise<PgTapResult> {
  const dir = suite === "platform"
    ? join(settings.repoRoot, "platform", "tests", "database")
    : join(settings.repoRoot, "supabase", "tests");
  const { tests, helpers } = await collect(dir);
  if (tests.length === 0) {
    console.log(`pgTAP ${suite}: no test files in ${relative(settings.repoRoot, dir)}`);
    return { files: 0, passed: 0, failed: 0, ok: true };
  }
  const database = `test_pgtap_${suite}_${crypto.randomUUID().slice(0, 8)}`;
  await createDatabaseFromTemplate(settings, database);
  try {
    if (suite === "platform") {
      // The template already holds the bootstrap; applying it again proves a re-run on a live database is safe,
      // which the bootstrap tests then check (no duplicated indexes, triggers or constraints).
      await applyBootstrap(settings, database);
      await runSql(settings, database, { text: EXTENSIONS_SQL }, { user: "postgres" });
    } else {
      await applyProject(settings, database);
    }
    for (const helper of helpers) await runSql(settings, database, { file: helper }, { user: "postgres" });

    const prove = new Deno.Command("pg_prove", {
      args: [
        "--host",
        settings.dbHost,
        "--port",
        String(settings.dbPort),
        "--username",
        "postgres",
        "--dbname",
        database,
        "--ext",
        ".sql",
        ...tests.map((file) => relative(settings.repoRoot, file)),
      ],
      cwd: settings.repoRoot,
      env: {
        PGPASSWORD: settings.password,
        PGSSLMODE: "disable",
        PGOPTIONS: "--client-min-messages=warning",
      },
      stdout: "piped",
      stderr: "piped",
    });
    const output = await prove.output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    console.log(text.trimEnd());
    const total = Number(text.match(/Tests=(\d+)/)?.[1] ?? 0);
    const failed = [...text.matchAll(/Failed (\d+)\/\d+ subtests/g)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    const ok = output.code === 0;
    return { files: tests.length, passed: total - failed, failed: ok ? failed : Math.max(failed, 1), ok };
  } finally {
    await dropDatabase(settings, database);
  }
}
