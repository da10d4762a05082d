/** The book-worker's real dependencies, built once per function instance from the environment. */
import { printProfile } from "../_shared/book/print_profiles.ts";
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { createServiceObjectStore, createServiceStreamingStore } from "../_shared/storage.ts";
import { createBookStore } from "./book_store.ts";
import type { BookWorkerDeps } from "./handler.ts";

export function createBookWorkerDeps(env: Env): BookWorkerDeps {
  return {
    books: createBookStore(createDatabase(env.SUPABASE_DB_URL, { max: 2, applicationName: "book-worker" })),
    objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
    files: createServiceStreamingStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
    config: { serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY, profile: printProfile(env.PRINT_PROFILE) },
  };
}
