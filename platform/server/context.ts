/**
 * What every part of the platform process is given: where it lives, the admin connection to the project
 * database, the keys, and a logger. Services receive it as a parameter; nothing reads globals.
 */
import type postgres from "postgres";
import type { PlatformSettings } from "../cli/settings.ts";
import type { PlatformKeys } from "./keys.ts";
import type { Logger } from "./log.ts";
import type { ProjectConfig } from "./project_config.ts";

export interface PlatformContext {
  settings: PlatformSettings;
  /** Name of the database this platform serves (the project database, or a test database). */
  database: string;
  /** Base URL the platform is reachable at, e.g. http://127.0.0.1:54321. */
  apiUrl: string;
  /** Connection pool as the bootstrap superuser; services switch role per request with `asCaller`. */
  admin: postgres.Sql;
  /** Opens a dedicated connection as the bootstrap superuser (for LISTEN or long work). */
  connect(options?: postgres.Options<Record<string, postgres.PostgresType>>): postgres.Sql;
  /** Opens a session logged in as `user` (over the local socket, which trusts local users), as pg_cron does. */
  connectAs(user: string, options?: postgres.Options<Record<string, postgres.PostgresType>>): postgres.Sql;
  keys: PlatformKeys;
  log: Logger;
  /** Folder holding the project's `supabase/` directory (functions, config.toml). */
  projectDir: string;
  /** `supabase/config.toml` and `supabase/functions/.env`, read once at start. */
  projectConfig: ProjectConfig;
  limits: PlatformLimits;
}

export interface PlatformLimits {
  /** Wall-clock limit of one function request; the edge runtime's request idle timeout is 150 s. */
  functionRequestMs: number;
}

/** An HTTP service mounted under a path prefix of the platform's single port. */
export interface PlatformService {
  /** E.g. "/storage/v1". Requests whose path starts with it are routed here. */
  prefix: string;
  handle(request: Request, url: URL): Promise<Response>;
  close(): Promise<void>;
}

/** A background loop (pg_net sender, cron scheduler) with a clean stop. */
export interface PlatformWorker {
  name: string;
  close(): Promise<void>;
}
