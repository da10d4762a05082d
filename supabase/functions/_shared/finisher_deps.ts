/** The real dependencies of the provider call finisher, shared by the fal webhook and the maintenance sweep. */
import type { Env } from "./env.ts";
import type { QueuedImageProvider } from "./images/image_provider.ts";
import { watermarkPreviewImage } from "./page_results.ts";
import type { PageStore } from "./page_store.ts";
import {
  createProviderCallFinisher,
  FINISHER_LIMITS,
  type ProviderCallFinisher,
} from "./provider_call_finisher.ts";
import type { ObjectStore } from "./storage.ts";

export function createFinisher(
  env: Env,
  clients: { pages: PageStore; objects: ObjectStore },
  provider: QueuedImageProvider,
): ProviderCallFinisher {
  return createProviderCallFinisher({
    ...clients,
    provider,
    watermark: watermarkPreviewImage,
    fetch: globalThis.fetch,
    log: console.log,
    config: { referenceUrlTtlSeconds: env.REFERENCE_URL_TTL_SECONDS, ...FINISHER_LIMITS },
  });
}
