/** The downloads function's real dependencies, built once per function instance from the environment. */
import { createUserAuthenticator } from "../_shared/auth.ts";
import { systemClock } from "../_shared/clock.ts";
import { createDatabase } from "../_shared/database.ts";
import { createDownloadTokens } from "../_shared/download_token.ts";
import type { Env } from "../_shared/env.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import type { DownloadDeps } from "./handler.ts";
import { createDownloadStore } from "./download_store.ts";

export async function createDownloadDeps(env: Env): Promise<DownloadDeps> {
  return {
    downloads: createDownloadStore(
      createDatabase(env.SUPABASE_DB_URL, { max: 3, applicationName: "downloads" }),
    ),
    tokens: await createDownloadTokens(env.DOWNLOAD_TOKEN_SECRET ?? env.SUPABASE_SERVICE_ROLE_KEY),
    authenticate: createUserAuthenticator(env.SUPABASE_URL, env.SUPABASE_ANON_KEY),
    objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
    clock: systemClock,
  };
}
