/** The page worker's real dependencies, built once per function instance from the environment. */
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { createImageProvider } from "../_shared/image_provider_factory.ts";
import { watermarkPreviewImage } from "../_shared/page_results.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import { themeStoryContent } from "../_shared/story_content/theme_catalogue.ts";
import type { PageWorkerDeps } from "./handler.ts";
import { createPageStore } from "../_shared/page_store.ts";

export function createPageWorkerDeps(env: Env): PageWorkerDeps {
  return {
    // One instance carries many pages at once (each mostly waiting on the provider), and each page takes three
    // short transactions; a small pool would queue them behind one another.
    pages: createPageStore(createDatabase(env.SUPABASE_DB_URL, { max: 10, applicationName: "page-worker" })),
    objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
    provider: createImageProvider(env),
    storyContent: themeStoryContent,
    watermark: watermarkPreviewImage,
    config: {
      serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
      referenceUrlTtlSeconds: env.REFERENCE_URL_TTL_SECONDS,
      providerTimeoutMs: env.IMAGE_PROVIDER_TIMEOUT_MS,
    },
  };
}
