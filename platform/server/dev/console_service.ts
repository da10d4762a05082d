/**
 * The dev console: a plain web page at `/` that walks through the product with supabase-js, as a frontend
 * would (`platform/server/console/`: one HTML page, one ES module, one stylesheet, an icon). Besides those:
 *   /console/config.json          the API URL and anon key the page creates its client with;
 *   /console/themes.json          the active themes, read from public.themes as `anon` (row level security);
 *   /console/vendor/supabase.js   supabase-js's own browser build, from the npm package deno.json pins, read out
 *                                 of Deno's cache and checked against a pinned SHA-256 (never committed).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { denoCacheDirectory } from "../../../scripts/deno_cache_directory.ts";
import { sha256Hex } from "../../../scripts/sha256_hex.ts";
import { asCaller, callerFromToken } from "../caller.ts";
import type { PlatformContext, PlatformService } from "../context.ts";
import { json } from "../http.ts";
import { errorFields } from "../log.ts";

const CONSOLE_DIR = fileURLToPath(new URL("../console/", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const SUPABASE_JS = {
  packageName: "@supabase/supabase-js",
  pathInPackage: "dist/umd/supabase.js",
  sha256: "d60f104b9cc23ca022ea6f7574e256aeea84823fe97806c241524b6355031800",
};

/** The page's own files: name → content type. Read on each request, so an edit shows on reload. */
const STATIC_FILES: Record<string, string> = {
  "console.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
  "favicon.svg": "image/svg+xml",
};

/**
 * Everything the page loads comes from this origin: no CDN, no inline script or style. `'self'` covers the
 * Realtime WebSocket on the same host and port; `blob:` is the chosen photo shown before it is uploaded.
 */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
};

/** The page at `/` and its assets under `/console/…`: two prefixes, so two services sharing one handler. */
export function createConsoleServices(context: PlatformContext): PlatformService[] {
  let supabaseJs: Promise<Uint8Array<ArrayBuffer>> | null = null;

  const routes = new Map<string, () => Promise<Response>>([
    ["/", page],
    ["/console/", page],
    [
      "/console/config.json",
      () => Promise.resolve(json({ url: context.apiUrl, anon_key: context.keys.anonKey })),
    ],
    ["/console/themes.json", themes],
    ["/console/vendor/supabase.js", async () => {
      supabaseJs ??= readSupabaseJs().catch((error) => {
        supabaseJs = null;
        throw error;
      });
      return asset(await supabaseJs, "text/javascript; charset=utf-8");
    }],
    ...Object.entries(STATIC_FILES).map(([name, contentType]): [string, () => Promise<Response>] => [
      `/console/${name}`,
      async () => asset(await Deno.readFile(join(CONSOLE_DIR, name)), contentType),
    ]),
  ]);

  async function page(): Promise<Response> {
    return new Response(await Deno.readFile(join(CONSOLE_DIR, "index.html")), { headers: PAGE_HEADERS });
  }

  async function themes(): Promise<Response> {
    const anon = await callerFromToken(context.keys, context.keys.anonKey);
    const rows = await asCaller(
      context.admin,
      anon,
      (sql) => sql`select id, title, description, min_age, max_age from public.themes order by title`,
    );
    return json({ themes: rows });
  }

  async function handle(request: Request, url: URL): Promise<Response> {
    const route = routes.get(url.pathname);
    if (!route) return json({ error: { code: "not_found", message: "There is no such page." } }, 404);
    if (request.method !== "GET") {
      return json({ error: { code: "method_not_allowed", message: "Use GET here." } }, 405, { allow: "GET" });
    }
    try {
      return await route();
    } catch (error) {
      context.log.error("console_asset_failed", errorFields(error));
      // A local developer's page: the reason (a package missing from the cache, a changed hash) helps them most.
      return json({ error: { code: "internal_error", message: (error as Error).message } }, 500);
    }
  }

  const close = () => Promise.resolve();
  return [{ prefix: "/", handle, close }, { prefix: "/console", handle, close }];
}

function asset(bytes: Uint8Array<ArrayBuffer>, contentType: string): Response {
  return new Response(bytes, {
    headers: {
      "content-type": contentType,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    },
  });
}

/** supabase-js's UMD build from Deno's npm cache, at the version deno.json pins; imported once if not cached. */
async function readSupabaseJs(): Promise<Uint8Array<ArrayBuffer>> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const specifier: string = config.imports?.[SUPABASE_JS.packageName] ?? "";
  const version = specifier.match(/@(\d+\.\d+\.\d+)$/)?.[1];
  if (!version) throw new Error(`deno.json's import map pins no version of ${SUPABASE_JS.packageName}`);
  const path = join(
    await denoCacheDirectory(),
    "npm",
    "registry.npmjs.org",
    SUPABASE_JS.packageName,
    version,
    SUPABASE_JS.pathInPackage,
  );
  const read = () => Deno.readFile(path);
  const bytes = await read().catch(async (error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    // Importing the package makes Deno fetch it into its cache, as the bundling scripts do.
    await import("@supabase/supabase-js");
    return await read();
  });
  const actual = await sha256Hex(bytes);
  if (actual !== SUPABASE_JS.sha256) {
    throw new Error(
      `${path} has SHA-256 ${actual}, not the pinned ${SUPABASE_JS.sha256}: the package changed; review it and ` +
        "update the hash in platform/server/dev/console_service.ts",
    );
  }
  return bytes;
}
