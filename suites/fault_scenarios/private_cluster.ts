/**
 * A PostgreSQL cluster of the suite's own, in a temporary directory on free ports: the Postgres restart scenario
 * must never touch the shared cluster (.local/db, port 54322) that `npm start` and other test runs use. It is
 * made the way `npm start` makes its cluster (prepareDatabase), and every scenario gets a fresh project database
 * cloned from its template, as the e2e tests do.
 */
import { join } from "node:path";
import postgres from "postgres";
import { runSql, startCluster, stopCluster } from "../../platform/cli/cluster.ts";
import { prepareDatabase } from "../../platform/cli/main.ts";
import { databaseUrl, type PlatformSettings, platformSettings } from "../../platform/cli/settings.ts";
import { freePort } from "../../platform/tests/support/served_platform.ts";
import { createTestDatabase } from "../../platform/tests/support/test_platform.ts";

export interface ScenarioDatabase {
  name: string;
  /** As the bootstrap superuser, for arranging and inspecting; postgres.js reconnects after a restart. */
  admin: postgres.Sql;
  /** Ends the admin pool; drops the database unless it is kept for inspection after a failed check. */
  close(options: { drop: boolean }): Promise<void>;
}

export interface PrivateCluster {
  settings: PlatformSettings;
  /** Keep every database and file for inspection, whatever the checks say. */
  keep: boolean;
  /** The environment that points platformSettings() (and so `main.ts serve`) at this cluster. */
  env: Record<string, string>;
  createDatabase(label: string): Promise<ScenarioDatabase>;
  /** Stops Postgres as a crash would (immediate: no checkpoint, every connection cut), then starts it again. */
  crashRestart(downMs: number): Promise<void>;
  /**
   * Has `stop` run if the suite is interrupted (Ctrl-C, SIGTERM) before the returned function is called: the
   * platform processes live in sessions of their own, which the terminal's signal never reaches.
   */
  onInterrupt(stop: () => Promise<void>): () => void;
  /** Stops the cluster; its files are removed unless `keepFiles` (to read the logs after a failure). */
  close(keepFiles: boolean): Promise<void>;
}

export async function startPrivateCluster(options: { keep: boolean }): Promise<PrivateCluster> {
  const dataDir = await Deno.makeTempDir({ prefix: "talecraft_faults_" });
  // Postgres runs as its own OS user when we are root, and must be able to reach the cluster inside.
  await Deno.chmod(dataDir, 0o755);
  const env = {
    PLATFORM_DATA_DIR: dataDir,
    PLATFORM_DB_PORT: String(freePort()),
    PLATFORM_API_PORT: String(freePort()),
  };
  const settings = platformSettings({ ...Deno.env.toObject(), ...env });
  const stops = new Set<() => Promise<void>>();
  const interrupted = async () => {
    for (const stop of stops) await stop().catch(() => {});
    await stopCluster(settings).catch(() => {});
    console.error(`interrupted; the cluster's files are left in ${dataDir}`);
    Deno.exit(130);
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) Deno.addSignalListener(signal, interrupted);
  await prepareDatabase(settings);
  // Commits survive a crash of Postgres here, as on Supabase. The local clusters trade that away for fast test
  // databases (synchronous_commit off), and a crash then forgets the last commits of the last few hundred
  // milliseconds: a book assembled and emailed, forgotten, assembled again, and its second email refused by
  // Resend under the same idempotency key. A loss production does not have, so not one to test for.
  await runSql(settings, "postgres", {
    text: "alter system set synchronous_commit = on; select pg_reload_conf();",
  }, {
    singleTransaction: false,
  });

  return {
    settings,
    keep: options.keep,
    env,
    async createDatabase(label) {
      const db = await createTestDatabase(label, { projectDir: settings.repoRoot, settings });
      const admin = postgres(databaseUrl(settings, db.database, settings.adminUser), {
        max: 4,
        onnotice: () => {},
      });
      return {
        name: db.database,
        admin,
        async close({ drop }) {
          await admin.end({ timeout: 5 });
          if (drop) await db.drop();
        },
      };
    },
    async crashRestart(downMs) {
      await stopCluster(settings, "immediate");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await startCluster(settings);
    },
    onInterrupt(stop) {
      stops.add(stop);
      return () => stops.delete(stop);
    },
    async close(keepFiles) {
      for (const signal of signals) Deno.removeSignalListener(signal, interrupted);
      await stopCluster(settings);
      if (!keepFiles) await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** Where a scenario's platform process writes its log. */
export function platformLogFile(settings: PlatformSettings, label: string): string {
  return join(settings.logDir, `platform_${label}.log`);
}
