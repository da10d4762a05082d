/**
 * Where the local platform keeps its state and which ports it uses. The ports are Supabase's local defaults so
 * that the Supabase CLI's "local" target (`postgres:postgres@127.0.0.1:54322/postgres`) is this cluster.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface PlatformSettings {
  repoRoot: string;
  dataDir: string;
  clusterDir: string;
  socketDir: string;
  logDir: string;
  storageDir: string;
  keysDir: string;
  /** Deno's module cache, which function workers may read. */
  denoDir: string;
  dbHost: string;
  dbPort: number;
  apiPort: number;
  /** The bootstrap superuser, as on Supabase's image; the platform process and tooling connect as it. */
  adminUser: string;
  password: string;
}

export function platformSettings(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): PlatformSettings {
  const repoRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
  const dataDir = env.PLATFORM_DATA_DIR ?? join(repoRoot, ".local");
  return {
    repoRoot,
    dataDir,
    clusterDir: join(dataDir, "db"),
    socketDir: join(dataDir, "run"),
    logDir: join(dataDir, "logs"),
    storageDir: join(dataDir, "storage"),
    keysDir: join(dataDir, "keys"),
    denoDir: env.DENO_DIR ?? join(env.HOME ?? "/root", ".cache", "deno"),
    dbHost: "127.0.0.1",
    dbPort: Number(env.PLATFORM_DB_PORT ?? 54322),
    apiPort: Number(env.PLATFORM_API_PORT ?? 54321),
    adminUser: "supabase_admin",
    password: "postgres",
  };
}

export function databaseUrl(settings: PlatformSettings, database: string, user = "postgres"): string {
  return `postgresql://${user}:${settings.password}@${settings.dbHost}:${settings.dbPort}/${database}`;
}

/** The project database the product runs on, and the bootstrapped template that test databases are cloned from. */
export const PROJECT_DATABASE = "postgres";
export const TEMPLATE_DATABASE = "platform_template";
