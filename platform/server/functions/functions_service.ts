/**
 * Stand-in for Supabase's edge runtime at `/functions/v1/<name>/*`: every folder of `supabase/functions` except
 * `_shared` (and other `_`/`.` folders) is a function. `verify_jwt` comes from `config.toml` per function, the
 * environment is the one Supabase gives a function, and each function runs in its own sandboxed process.
 */
import { join } from "node:path";
import { databaseUrl } from "../../cli/settings.ts";
import { callerFromToken } from "../caller.ts";
import type { PlatformContext, PlatformService } from "../context.ts";
import { bearerToken, json } from "../http.ts";
import { effectiveShopifySecret } from "../dev/shopify_deliveries.ts";
import { FunctionBootError, FunctionProcess } from "./function_process.ts";
import { errorFields } from "../log.ts";

const BOOT_TIMEOUT_MS = 30_000;
const WORKERS_PER_FUNCTION = Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1));
/**
 * Secrets from `.env` may not use these names: `SUPABASE_` is reserved for the platform's own variables (the
 * Supabase CLI refuses such secrets too), and the others would change how the runtime loads code.
 */
const reservedSecretName = /^(SUPABASE_|DENO_|LD_|NODE_OPTIONS$)/;

const functionNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function createFunctionsService(context: PlatformContext): PlatformService {
  const functionsDir = join(context.projectDir, "supabase", "functions");
  const requestTimeoutMs = context.limits.functionRequestMs;
  // Like the edge runtime, which serves concurrent requests from several isolates, each function has a small
  // pool of worker processes (one per core), used least-busy first; a second one starts only under load.
  const pools = new Map<string, FunctionProcess[]>();
  const inFlight = new Map<FunctionProcess, number>();
  const { denoDir } = context.settings;
  const secrets = Object.entries(context.projectConfig.functionSecrets);
  for (const [name] of secrets.filter(([name]) => reservedSecretName.test(name))) {
    context.log.warn("function_secret_ignored", { name, reason: "reserved name" });
  }

  const functionEnv: Record<string, string> = {
    ...Object.fromEntries(secrets.filter(([name]) => !reservedSecretName.test(name))),
    // A local default, like the keys the Supabase CLI makes up for a local stack: purchases can be simulated (dev
    // console, demo) without configuring Shopify first. The project's own secret, when it sets one, wins.
    SHOPIFY_WEBHOOK_SECRET: effectiveShopifySecret(context.projectConfig, context.keys),
    SUPABASE_URL: context.apiUrl,
    SUPABASE_ANON_KEY: context.keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: context.keys.serviceRoleKey,
    SUPABASE_DB_URL: databaseUrl(context.settings, context.database),
    SUPABASE_JWKS: JSON.stringify(context.keys.jwks),
    DENO_DIR: denoDir,
    DENO_NO_UPDATE_CHECK: "1",
  };

  // Edited source takes effect on the next request, as with `supabase functions serve`.
  const watcher = watchSources(functionsDir, () => {
    for (const worker of [...pools.values()].flat()) worker.close();
    pools.clear();
  });

  const workerFor = (name: string): FunctionProcess => {
    const pool = pools.get(name) ?? [];
    pools.set(name, pool);
    const busy = (worker: FunctionProcess) => inFlight.get(worker) ?? 0;
    let worker = pool.reduce<FunctionProcess | undefined>(
      (best, candidate) => best === undefined || busy(candidate) < busy(best) ? candidate : best,
      undefined,
    );
    if (!worker || (busy(worker) > 0 && pool.length < WORKERS_PER_FUNCTION)) {
      const created = new FunctionProcess({
        name,
        entry: join(functionsDir, name, "index.ts"),
        cwd: join(functionsDir, name),
        env: functionEnv,
        readable: [context.projectDir, context.settings.repoRoot, denoDir, "/tmp"],
        unreadable: [context.settings.dataDir],
        log: context.log,
        bootTimeoutMs: BOOT_TIMEOUT_MS,
      });
      // A dead worker is forgotten so the next request boots a fresh one.
      created.exited.then(() => {
        const index = pool.indexOf(created);
        if (index >= 0) pool.splice(index, 1);
        inFlight.delete(created);
      });
      pool.push(created);
      worker = created;
    }
    return worker;
  };

  return {
    prefix: "/functions/v1",
    async handle(request, url) {
      const [, name = ""] = url.pathname.slice("/functions/v1".length).split("/");
      if (!functionNamePattern.test(name) || !(await isFile(join(functionsDir, name, "index.ts")))) {
        return json({ code: "NOT_FOUND", message: "Requested function was not found" }, 404);
      }
      if (context.projectConfig.verifyJwt(name)) {
        const token = bearerToken(request);
        if (!token) return json({ code: "UNAUTHORIZED", message: "Missing authorization header" }, 401);
        try {
          await callerFromToken(context.keys, token);
        } catch {
          return json({ code: "UNAUTHORIZED", message: "Invalid JWT" }, 401);
        }
      }

      const worker = workerFor(name);
      inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1);
      try {
        return await forward(worker, name, request, url);
      } finally {
        if (inFlight.has(worker)) inFlight.set(worker, inFlight.get(worker)! - 1);
      }
    },
    async close() {
      watcher.close();
      await Promise.all([...pools.values()].flat().map((worker) => worker.close()));
      pools.clear();
    },
  };

  async function forward(
    worker: FunctionProcess,
    name: string,
    request: Request,
    url: URL,
  ): Promise<Response> {
    let port: number;
    try {
      port = await worker.port();
    } catch (error) {
      context.log.error("function_boot_failed", { function: name, ...errorFields(error) });
      return json({ code: "BOOT_ERROR", message: "Function failed to start (please check logs)" }, 503);
    }

    const target = `http://127.0.0.1:${port}${url.pathname.slice("/functions/v1".length)}${url.search}`;
    const headers = new Headers(request.headers);
    headers.delete("host");
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    try {
      const response = await Promise.race([
        fetch(target, {
          method: request.method,
          headers,
          body: request.body,
          redirect: "manual",
          signal: timeout,
        }),
        worker.exited.then(() => {
          throw new WorkerExitedError();
        }),
      ]);
      return new Response(response.body, { status: response.status, headers: response.headers });
    } catch (error) {
      if (timeout.aborted) {
        // The runtime stops a worker that overruns its limit; a hung function must not keep running.
        worker.kill();
        context.log.error("function_timeout", { function: name, limit_ms: requestTimeoutMs });
        return json({ code: "WORKER_LIMIT", message: "Function exceeded its wall-clock limit" }, 546);
      }
      if (error instanceof FunctionBootError || error instanceof WorkerExitedError || !worker.alive) {
        return json({
          code: "WORKER_ERROR",
          message: "Function exited due to an error (please check logs)",
        }, 500);
      }
      context.log.error("function_proxy_failed", { function: name, ...errorFields(error) });
      return json(
        { code: "WORKER_ERROR", message: "Function exited due to an error (please check logs)" },
        500,
      );
    }
  }
}

class WorkerExitedError extends Error {
  override name = "WorkerExitedError";
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function watchSources(dir: string, onChange: () => void): { close(): void } {
  let watcher: Deno.FsWatcher;
  try {
    watcher = Deno.watchFs(dir, { recursive: true });
  } catch {
    return { close() {} };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  (async () => {
    try {
      for await (const event of watcher) {
        if (event.kind === "access") continue;
        clearTimeout(timer);
        timer = setTimeout(onChange, 100);
      }
    } catch {
      // Closed.
    }
  })();
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
