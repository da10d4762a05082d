/**
 * The project-local PostgreSQL 15 cluster: create, start, stop, and run SQL as the bootstrap superuser.
 * Postgres refuses to run as root, so when we are root the server commands run as the `postgres` OS user.
 */
import { join } from "node:path";
import { databaseUrl, type PlatformSettings } from "./settings.ts";

export class PlatformError extends Error {
  override name = "PlatformError";
}

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; asServerUser?: boolean; stdin?: string } = {},
): Promise<CommandResult> {
  const [program, programArgs] = options.asServerUser && isRoot()
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, args];
  const child = new Deno.Command(program, {
    args: programArgs,
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

function isRoot(): boolean {
  return Deno.uid() === 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function isEmptyDirectory(path: string): Promise<boolean> {
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}

/** Creates the cluster when there is none; refuses to touch a data directory it does not recognise. */
export async function ensureCluster(settings: PlatformSettings): Promise<"created" | "existing"> {
  const { clusterDir } = settings;
  if (await exists(join(clusterDir, "PG_VERSION"))) {
    const version = (await Deno.readTextFile(join(clusterDir, "PG_VERSION"))).trim();
    if (version !== "15") {
      throw new PlatformError(
        `The data directory ${clusterDir} belongs to PostgreSQL ${version}, not 15. Run \`npm run reset\`.`,
      );
    }
    if (!(await exists(join(clusterDir, "postgresql.conf")))) {
      throw new PlatformError(
        `The data directory ${clusterDir} is broken (no postgresql.conf). Run \`npm run reset\`.`,
      );
    }
    return "existing";
  }
  if (await exists(clusterDir) && !(await isEmptyDirectory(clusterDir))) {
    throw new PlatformError(
      `The data directory ${clusterDir} is not a PostgreSQL cluster (no PG_VERSION). Run \`npm run reset\`.`,
    );
  }
  for (const dir of [settings.dataDir, clusterDir, settings.socketDir, settings.logDir]) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  }
  const passwordFile = join(settings.socketDir, "initdb_password");
  await Deno.writeTextFile(passwordFile, settings.password + "\n", { mode: 0o644 });
  if (isRoot()) {
    for (const dir of [clusterDir, settings.socketDir, settings.logDir]) {
      await run("chown", ["-R", "postgres:postgres", dir]);
    }
  }
  const initdb = await run("initdb", [
    "--pgdata",
    clusterDir,
    "--username",
    settings.adminUser,
    "--pwfile",
    passwordFile,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "--encoding=UTF8",
    "--locale=C.UTF-8",
  ], { asServerUser: true });
  await Deno.remove(passwordFile);
  if (initdb.code !== 0) throw new PlatformError(`initdb failed:\n${initdb.stderr}`);
  await Deno.writeTextFile(
    join(clusterDir, "postgresql.conf"),
    [
      "",
      "# Local platform settings.",
      `port = ${settings.dbPort}`,
      `listen_addresses = '${settings.dbHost}'`,
      `unix_socket_directories = '${settings.socketDir}'`,
      "max_connections = 300",
      // Logical decoding is what Supabase runs with; publications then raise no warning.
      "wal_level = logical",
      // Throwaway development data: durability is traded for fast database creation in tests.
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "log_min_messages = warning",
      "",
    ].join("\n"),
    { append: true },
  );
  return "created";
}

export async function isClusterRunning(settings: PlatformSettings): Promise<boolean> {
  const status = await run("pg_ctl", ["status", "--pgdata", settings.clusterDir], { asServerUser: true });
  return status.code === 0;
}

function isPortFree(hostname: string, port: number): boolean {
  try {
    const listener = Deno.listen({ hostname, port });
    listener.close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

export function assertPortFree(hostname: string, port: number, what: string): void {
  if (!isPortFree(hostname, port)) {
    throw new PlatformError(
      `Port ${port} on ${hostname} is already in use, so the ${what} cannot start. ` +
        `Stop whatever listens there (\`ss -ltnp 'sport = :${port}'\` shows it) or run \`npm run stop\`.`,
    );
  }
}

export async function startCluster(settings: PlatformSettings): Promise<"started" | "running"> {
  if (await isClusterRunning(settings)) return "running";
  assertPortFree(settings.dbHost, settings.dbPort, "database");
  const logFile = join(settings.logDir, "postgres.log");
  const started = await run("pg_ctl", [
    "start",
    "--pgdata",
    settings.clusterDir,
    "--wait",
    "--timeout=60",
    "--log",
    logFile,
  ], { asServerUser: true });
  if (started.code !== 0) {
    let tail = "";
    try {
      tail = (await Deno.readTextFile(logFile)).split("\n").slice(-15).join("\n");
    } catch { /* no log yet */ }
    throw new PlatformError(
      `PostgreSQL did not start (data directory ${settings.clusterDir}).\n${started.stderr}${tail}\n` +
        "If the data directory is damaged, `npm run reset` recreates it.",
    );
  }
  return "started";
}

/**
 * Stops the cluster: `fast` by default (clients cut off, a checkpoint written); `immediate` stops it as a crash
 * would (no checkpoint, recovery at the next start).
 */
export async function stopCluster(
  settings: PlatformSettings,
  mode: "fast" | "immediate" = "fast",
): Promise<"stopped" | "not running"> {
  if (!(await exists(join(settings.clusterDir, "PG_VERSION")))) return "not running";
  if (!(await isClusterRunning(settings))) return "not running";
  const stopped = await run("pg_ctl", ["stop", "--pgdata", settings.clusterDir, `--mode=${mode}`, "--wait"], {
    asServerUser: true,
  });
  if (stopped.code !== 0) throw new PlatformError(`PostgreSQL did not stop:\n${stopped.stderr}`);
  return "stopped";
}

/** Runs SQL (a file or a string) in one transaction as the bootstrap superuser, stopping at the first error. */
export async function runSql(
  settings: PlatformSettings,
  database: string,
  sql: { file: string } | { text: string },
  options: { singleTransaction?: boolean; user?: string } = {},
): Promise<string> {
  const args = [
    "--no-psqlrc",
    "--quiet",
    "--tuples-only",
    "--no-align",
    "--set=ON_ERROR_STOP=1",
    "--dbname",
    databaseUrl(settings, database, options.user ?? settings.adminUser),
  ];
  if (options.singleTransaction ?? true) args.push("--single-transaction");
  if ("file" in sql) args.push("--file", sql.file);
  const result = await run("psql", args, {
    stdin: "text" in sql ? sql.text : undefined,
    env: { PGSSLMODE: "disable", PGOPTIONS: "--client-min-messages=warning" },
  });
  if (result.code !== 0) {
    const where = "file" in sql ? sql.file : "SQL";
    throw new PlatformError(`${where} failed on database ${database}:\n${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

export async function databaseExists(settings: PlatformSettings, database: string): Promise<boolean> {
  const found = await runSql(settings, "postgres", {
    text: `select 1 from pg_database where datname = '${database.replaceAll("'", "''")}'`,
  });
  return found === "1";
}
