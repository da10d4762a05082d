/**
 * The platform process: one port serving the Supabase routes a project uses (functions, storage, auth,
 * realtime), plus the background loops that stand in for pg_net's worker and pg_cron's scheduler.
 */
import postgres from "postgres";
import { databaseUrl, type PlatformSettings } from "../cli/settings.ts";
import type { PlatformContext, PlatformLimits, PlatformService, PlatformWorker } from "./context.ts";
import { corsHeaders, json, withCors } from "./http.ts";
import { platformKeys } from "./keys.ts";
import { errorFields, jsonLogger, loggablePath, type Logger } from "./log.ts";
import { readProjectConfig } from "./project_config.ts";
import { createServices, startWorkers } from "./services.ts";

export interface PlatformOptions {
  settings: PlatformSettings;
  database: string;
  /** 0 picks a free port (tests). */
  port: number;
  hostname?: string;
  /** Folder holding `supabase/` (functions, config.toml); the repository root unless a test says otherwise. */
  projectDir?: string;
  log?: Logger;
  limits?: Partial<PlatformLimits>;
  /** Extra function secrets on top of `supabase/functions/.env`, like `supabase functions serve --env-file`. */
  functionEnv?: Record<string, string>;
}

export interface RunningPlatform {
  url: string;
  port: number;
  context: PlatformContext;
  close(): Promise<void>;
  /** Settles when the HTTP server stops. */
  finished: Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const { settings, database } = options;
  const projectDir = options.projectDir ?? settings.repoRoot;
  const projectConfig = await readProjectConfig(projectDir, options.functionEnv);
  const hostname = options.hostname ?? "127.0.0.1";
  const log = options.log ?? jsonLogger();
  const adminUrl = databaseUrl(settings, database, settings.adminUser);
  const connect: PlatformContext["connect"] = (connectionOptions) =>
    postgres(adminUrl, { onnotice: () => {}, ...connectionOptions });
  const connectAs: PlatformContext["connectAs"] = (user, connectionOptions) =>
    postgres({
      path: `${settings.socketDir}/.s.PGSQL.${settings.dbPort}`,
      database,
      user,
      onnotice: () => {},
      ...connectionOptions,
    });
  const admin = connect({ max: 20, idle_timeout: 30 });

  const ready = Promise.withResolvers<Deno.NetAddr>();
  let services: PlatformService[] = [];
  const server = Deno.serve({
    hostname,
    port: options.port,
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
  }, (request) => route(request, services, log));
  const addr = await ready.promise;
  const apiUrl = `http://${hostname}:${addr.port}`;

  let context: PlatformContext;
  let workers: PlatformWorker[];
  try {
    context = {
      settings,
      database,
      apiUrl,
      admin,
      connect,
      connectAs,
      keys: await platformKeys(settings.keysDir),
      log,
      projectDir,
      projectConfig,
      limits: { functionRequestMs: 150_000, ...options.limits },
    };
    services = createServices(context);
    workers = await startWorkers(context);
  } catch (error) {
    // A start that fails half way must not leave the port or the pool open.
    await Promise.allSettled(services.map((service) => service.close()));
    await server.shutdown();
    await admin.end({ timeout: 5 });
    throw error;
  }
  log.info("platform_started", { url: apiUrl, database });

  let closing: Promise<void> | null = null;
  const close = () =>
    closing ??= (async () => {
      await server.shutdown();
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(services.map((service) => service.close()));
      await admin.end({ timeout: 5 });
    })();

  return { url: apiUrl, port: addr.port, context, close, finished: server.finished };
}

async function route(request: Request, services: PlatformService[], log: Logger): Promise<Response> {
  const started = performance.now();
  const url = new URL(request.url);
  // Read before handling: after a WebSocket upgrade the request can no longer be inspected.
  const method = request.method;
  if (method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
  const service = services.find((candidate) =>
    url.pathname === candidate.prefix || url.pathname.startsWith(candidate.prefix + "/")
  );
  let response: Response;
  try {
    response = service ? await service.handle(request, url) : json({ message: "no route matched" }, 404);
  } catch (error) {
    log.error("request_failed", { path: loggablePath(url), ...errorFields(error) });
    response = json({ message: "internal platform error" }, 500);
  }
  log.info("request", {
    method,
    path: loggablePath(url),
    status: response.status,
    duration_ms: Math.round(performance.now() - started),
  });
  // A WebSocket upgrade response must be returned untouched.
  return response.status === 101 ? response : withCors(response);
}
