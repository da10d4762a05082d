/** The maintenance function's real dependencies, built once per function instance from the environment. */
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { createFinisher } from "../_shared/finisher_deps.ts";
import { createFalProvider } from "../_shared/image_provider_factory.ts";
import { createPageStore } from "../_shared/page_store.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import { createExpiryStore } from "./expiry_store.ts";
import type { MaintenanceDeps } from "./handler.ts";
import { createPhotoRetentionStore } from "./photo_retention_store.ts";
import { createBookRetentionStore } from "./book_retention_store.ts";
import { createRedactionStore } from "./redaction_store.ts";

export function createMaintenanceDeps(env: Env): MaintenanceDeps {
  const sql = createDatabase(env.SUPABASE_DB_URL, { max: 2, applicationName: "maintenance" });
  const pages = createPageStore(sql);
  const provider = createFalProvider(env);
  const objects = createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY);
  return {
    expiry: createExpiryStore(sql),
    photoRetention: createPhotoRetentionStore(sql),
    objects,
    providerSweep: {
      lateCalls: pages.lateCalls,
      provider,
      finisher: provider ? createFinisher(env, { pages, objects }, provider) : null,
    },
    redactions: createRedactionStore(sql),
    books: createBookRetentionStore(sql),
    config: {
      serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
      storiesPerRun: 500,
      photosPerRun: 500,
      providerCallsPerRun: 50,
      redactionsPerRun: 20,
      booksPerRun: 200,
    },
  };
}
