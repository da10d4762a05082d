/** The previews function's real dependencies, built once per function instance from the environment. */
import { createUserAuthenticator } from "../_shared/auth.ts";
import { systemClock } from "../_shared/clock.ts";
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import { themeStoryContent } from "../_shared/story_content/theme_catalogue.ts";
import type { PreviewsDeps } from "./handler.ts";
import { createPreviewStore } from "./preview_store.ts";

export function createPreviewsDeps(env: Env): PreviewsDeps {
  return {
    authenticate: createUserAuthenticator(env.SUPABASE_URL, env.SUPABASE_ANON_KEY),
    previews: createPreviewStore(createDatabase(env.SUPABASE_DB_URL, { applicationName: "previews" })),
    objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
    storyContent: themeStoryContent,
    clock: systemClock,
    config: {
      bookPrice: Number(env.BOOK_PRICE),
      bookCurrency: env.BOOK_CURRENCY,
      checkoutUrlTemplate: env.SHOPIFY_CHECKOUT_URL,
      previewUrlTtlSeconds: env.PREVIEW_URL_TTL_SECONDS,
      pageSecondsEstimate: env.PAGE_SECONDS_ESTIMATE,
    },
  };
}
