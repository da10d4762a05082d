/** The erase-data function's real dependencies, built once per function instance from the environment. */
import { createUserAuthenticator } from "../_shared/auth.ts";
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import { createErasureStore } from "./erasure_store.ts";
import type { EraseDataDeps } from "./handler.ts";

export function createEraseDataDeps(env: Env): EraseDataDeps {
  return {
    // Erasing cannot be undone: a token whose session was signed out must not do it.
    authenticate: createUserAuthenticator(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
      requireLiveSession: true,
    }),
    erasure: createErasureStore(
      createDatabase(env.SUPABASE_DB_URL, { max: 1, applicationName: "erase-data" }),
    ),
    objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
  };
}
