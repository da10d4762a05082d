/** The fal webhook's real dependencies, built once per function instance from the environment. */
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { createWebhookVerifier } from "../_shared/fal/webhook_signature.ts";
import { createFinisher } from "../_shared/finisher_deps.ts";
import { createFalProvider } from "../_shared/image_provider_factory.ts";
import { createPageStore } from "../_shared/page_store.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import type { FalWebhookDeps } from "./handler.ts";

export function createFalWebhookDeps(env: Env): FalWebhookDeps {
  const provider = createFalProvider(env);
  // Without FAL_KEY the function still boots, and answers every delivery 503 fal_not_configured.
  if (!provider) {
    return { verifier: createWebhookVerifier({ jwksUrl: env.FAL_WEBHOOK_JWKS_URL }), finisher: null };
  }
  // Deliveries of one book's pages arrive together; each takes a few short transactions.
  const pages = createPageStore(
    createDatabase(env.SUPABASE_DB_URL, { max: 5, applicationName: "fal-webhook" }),
  );
  return {
    verifier: createWebhookVerifier({ jwksUrl: env.FAL_WEBHOOK_JWKS_URL }),
    finisher: createFinisher(
      env,
      { pages, objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY) },
      provider,
    ),
    expectedUserId: env.FAL_WEBHOOK_USER_ID,
  };
}
