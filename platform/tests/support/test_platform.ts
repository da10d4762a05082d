/**
 * A platform instance for one test file: a fresh database cloned from the bootstrapped template, optionally
 * with the stand-in extensions and a project's migrations, served on a free port. `npm test` has already
 * started the cluster and built the template.
 */
import postgres from "postgres";
import { runSql } from "../../cli/cluster.ts";
import {
  applyProject,
  createDatabaseFromTemplate,
  dropDatabase,
  EXTENSIONS_SQL,
} from "../../cli/provision.ts";
import { databaseUrl, type PlatformSettings, platformSettings } from "../../cli/settings.ts";
import { jsonLogger, type Logger, silentLogger } from "../../server/log.ts";
import { type RunningPlatform, startPlatform } from "../../server/platform.ts";
import type { PlatformLimits } from "../../server/context.ts";

export interface TestPlatform {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** Connection URL of the test database as `postgres` (the role migrations run as). */
  databaseUrl: string;
  /** Pool connected as the bootstrap superuser, for arranging and inspecting state. */
  admin: postgres.Sql;
  platform: RunningPlatform;
  close(): Promise<void>;
}

export interface TestPlatformOptions {
  /** Short label used in the database name. */
  name: string;
  /** Create pgmq, pg_net and pg_cron as `postgres`, as a migration would. */
  extensions?: boolean;
  /** Apply `<projectDir>/supabase/migrations` with the Supabase CLI and serve its functions. */
  projectDir?: string;
  log?: Logger;
  limits?: Partial<PlatformLimits>;
  /** Function secrets added to the project's `.env` (e.g. the image provider's latency). */
  functionEnv?: Record<string, string>;
}

/**
 * A fresh database cloned from the template: with the stand-in extensions created as a migration would, or with
 * a project's migrations and theme catalogue applied. On the shared cluster unless `settings` name another.
 */
export async function createTestDatabase(
  name: string,
  options: { extensions?: boolean; projectDir?: string; settings?: PlatformSettings } = {},
) {
  const settings = options.settings ?? platformSettings();
  const database = `test_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${
    crypto.randomUUID().slice(0, 8)
  }`;
  await createDatabaseFromTemplate(settings, database);
  if (options.extensions) await runSql(settings, database, { text: EXTENSIONS_SQL }, { user: "postgres" });
  if (options.projectDir) await applyProject(settings, database, options.projectDir);
  return {
    settings,
    database,
    url: databaseUrl(settings, database),
    drop: () => dropDatabase(settings, database),
  };
}

export async function startTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const db = await createTestDatabase(options.name, {
    extensions: options.extensions,
    projectDir: options.projectDir,
  });
  const log = options.log ?? (Deno.env.get("PLATFORM_TEST_LOGS") ? jsonLogger() : silentLogger);
  const platform = await startPlatform({
    settings: db.settings,
    database: db.database,
    port: 0,
    projectDir: options.projectDir,
    log,
    limits: options.limits,
    functionEnv: options.functionEnv,
  });
  const keys = platform.context.keys;
  return {
    url: platform.url,
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
    databaseUrl: db.url,
    admin: platform.context.admin,
    platform,
    async close() {
      await platform.close();
      await db.drop();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
