/**
 * `npm start | stop | reset | status`: the local platform's command line.
 *
 * start: cluster → stand-in extensions → bootstrap → migrations (Supabase CLI) → seed → platform process.
 * A second start skips what is already done; Ctrl-C stops the platform process and the cluster.
 */
import { join } from "node:path";
import { assertPortFree, ensureCluster, PlatformError, startCluster, stopCluster } from "./cluster.ts";
import {
  applyBootstrap,
  applyProject,
  applySeed,
  bootstrapFingerprint,
  installExtensions,
  rebuildTemplate,
} from "./provision.ts";
import { databaseUrl, type PlatformSettings, platformSettings, PROJECT_DATABASE } from "./settings.ts";
import { writeDatabaseTypes } from "./database_types.ts";
import { effectiveShopifySecret } from "../server/dev/shopify_deliveries.ts";
import { platformKeys } from "../server/keys.ts";
import { readProjectConfig } from "../server/project_config.ts";
import { readTextIfExists } from "../server/text_files.ts";
import { bundleBookFonts } from "../../scripts/bundle_book_fonts.ts";
import { bundleFaceModel } from "../../scripts/bundle_face_model.ts";
import { startPlatform } from "../server/platform.ts";

function step(message: string): void {
  console.error(`· ${message}`);
}

/** Everything up to a migrated, seeded project database; shared by `start` and the test runner. */
export async function prepareDatabase(settings: PlatformSettings): Promise<void> {
  const started = performance.now();
  const cluster = await ensureCluster(settings);
  step(cluster === "created" ? `created the cluster in ${settings.clusterDir}` : "cluster exists");
  step(`database ${await startCluster(settings)} on ${settings.dbHost}:${settings.dbPort}`);

  const fingerprintFile = join(settings.dataDir, "bootstrap.sha256");
  const fingerprint = await bootstrapFingerprint(settings);
  if ((await readTextIfExists(fingerprintFile)) !== fingerprint) {
    step(`installed stand-in extensions: ${(await installExtensions(settings)).join(", ")}`);
    await applyBootstrap(settings, PROJECT_DATABASE);
    await rebuildTemplate(settings);
    await Deno.writeTextFile(fingerprintFile, fingerprint);
    step("applied the platform bootstrap (roles, auth, storage, realtime, vault)");
  } else {
    step("platform bootstrap unchanged");
  }
  const project = await applyProject(settings, PROJECT_DATABASE);
  step(project.migrations.split("\n").filter(Boolean).at(-1) ?? "migrations");
  if (project.themes !== null) step(`synced ${project.themes} themes into public.themes`);
  step(await applySeed(settings, PROJECT_DATABASE));
  step(`database ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Files the functions ship with but the repository does not hold (copied out of pinned npm packages). */
export async function prepareFunctionFiles(): Promise<void> {
  await bundleFaceModel();
  step("face detector model bundled with upload-photo");
  await bundleBookFonts();
  step("book fonts bundled with book-worker");
}

async function printStatus(settings: PlatformSettings): Promise<void> {
  const keys = await platformKeys(settings.keysDir);
  const projectConfig = await readProjectConfig(settings.repoRoot);
  const api = `http://${settings.dbHost}:${settings.apiPort}`;
  const rows: [string, string][] = [
    ["API URL", api],
    ["Dev console", `${api}/`],
    ["Functions URL", `${api}/functions/v1`],
    ["Storage URL", `${api}/storage/v1`],
    ["Auth URL", `${api}/auth/v1`],
    ["Realtime URL", `ws://${settings.dbHost}:${settings.apiPort}/realtime/v1`],
    ["DB URL", databaseUrl(settings, PROJECT_DATABASE)],
    ["JWKS URL", `${api}/auth/v1/.well-known/jwks.json`],
    ["anon key", keys.anonKey],
    ["service_role key", keys.serviceRoleKey],
    // What shopify-webhooks verifies with locally, for anyone signing a delivery by hand.
    ["Shopify webhook secret", effectiveShopifySecret(projectConfig, keys)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(rows.map(([label, value]) => `${label.padStart(width)}: ${value}`).join("\n"));
}

async function runningPlatformPid(settings: PlatformSettings): Promise<number | null> {
  const existing = await readTextIfExists(join(settings.dataDir, "platform.pid"));
  return existing && isAlive(Number(existing)) ? Number(existing) : null;
}

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function start(settings: PlatformSettings, args: string[]): Promise<void> {
  const runningPid = await runningPlatformPid(settings);
  if (runningPid !== null) {
    step(`the platform is already running (pid ${runningPid})`);
    await printStatus(settings);
    return;
  }
  assertPortFree(settings.dbHost, settings.apiPort, "platform");
  await Deno.mkdir(settings.dataDir, { recursive: true });
  const pidFile = join(settings.dataDir, "platform.pid");
  await Deno.writeTextFile(pidFile, String(Deno.pid));
  await prepareDatabase(settings);
  await prepareFunctionFiles();
  const platform = await startPlatform({ settings, database: PROJECT_DATABASE, port: settings.apiPort });
  await printStatus(settings);
  step("platform running; Ctrl-C stops it" + (args.includes("--keep-db") ? "" : " and the database"));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    step("stopping");
    await platform.close();
    if (!args.includes("--keep-db")) step(`database ${await stopCluster(settings)}`);
    await Deno.remove(pidFile).catch(() => {});
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
  await platform.finished;
}

/**
 * `serve --database NAME --port N [--env KEY=VALUE …]`: only the platform process, for a database that already
 * exists (tests that must kill and restart the platform run it this way). Stops on SIGTERM or SIGINT.
 */
async function serve(settings: PlatformSettings, args: string[]): Promise<void> {
  const option = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const database = option("--database") ?? PROJECT_DATABASE;
  const port = Number(option("--port") ?? settings.apiPort);
  const functionEnv = Object.fromEntries(
    args.flatMap((arg, index) => args[index - 1] === "--env" ? [arg.split(/=(.*)/s).slice(0, 2)] : []),
  );
  const platform = await startPlatform({ settings, database, port, functionEnv });
  const shutdown = async () => {
    await platform.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
  await platform.finished;
}

async function stop(settings: PlatformSettings): Promise<void> {
  const pidFile = join(settings.dataDir, "platform.pid");
  const pid = await readTextIfExists(pidFile);
  if (pid && isAlive(Number(pid))) {
    Deno.kill(Number(pid), "SIGTERM");
    for (let i = 0; i < 100 && isAlive(Number(pid)); i++) await new Promise((r) => setTimeout(r, 100));
    step(`platform process ${pid.trim()} stopped`);
  } else {
    step("platform process not running");
  }
  await Deno.remove(pidFile).catch(() => {});
  step(`database ${await stopCluster(settings)}`);
}

async function reset(settings: PlatformSettings): Promise<void> {
  await stop(settings);
  await Deno.remove(settings.dataDir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  step(`removed ${settings.dataDir}; the next \`npm start\` creates everything afresh`);
}

const commands: Record<string, (settings: PlatformSettings, args: string[]) => Promise<void>> = {
  start,
  stop: (settings) => stop(settings),
  reset: (settings) => reset(settings),
  status: (settings) => printStatus(settings),
  "prepare-database": (settings) => prepareDatabase(settings),
  serve,
  "gen-types": async (settings) => {
    await startCluster(settings);
    step(`wrote ${await writeDatabaseTypes(settings)}`);
  },
};

if (import.meta.main) {
  const [command = "start", ...args] = Deno.args;
  const handler = commands[command];
  if (!handler) {
    console.error(`Unknown command "${command}". Use one of: ${Object.keys(commands).join(", ")}.`);
    Deno.exit(2);
  }
  try {
    await handler(platformSettings(), args);
  } catch (error) {
    if (error instanceof PlatformError) {
      console.error(`error: ${error.message}`);
      Deno.exit(1);
    }
    throw error;
  }
}
