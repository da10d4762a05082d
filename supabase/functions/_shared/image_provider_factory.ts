/**
 * The one place image providers are built from configuration: the in-house illustrator (synchronous) or fal.ai
 * (queued, answered through the fal-webhook function).
 */
import type { Env } from "./env.ts";
import { createFalImageProvider } from "./fal/fal_image_provider.ts";
import { parsePriceTable } from "./fal/fal_pricing.ts";
import { createFalQueue } from "./fal/fal_queue.ts";
import type { AnyImageProvider, QueuedImageProvider } from "./images/image_provider.ts";
import { withLatency } from "./images/latency_provider.ts";
import { StorybookIllustrator } from "./images/storybook_illustrator.ts";

export function createImageProvider(env: Env): AnyImageProvider {
  if (env.IMAGE_PROVIDER === "fal") {
    const fal = createFalProvider(env);
    // readEnv refuses this already; kept so a misconfiguration can never fall back to another provider.
    if (!fal) throw new Error("IMAGE_PROVIDER is fal but FAL_KEY is not set");
    return fal;
  }
  // Stands in for a remote model's queue and inference time (tests and benchmarks).
  const latencyMs = env.IMAGE_PROVIDER_LATENCY_MS ?? 0;
  const illustrator = new StorybookIllustrator();
  return latencyMs > 0 ? withLatency(illustrator, { latencyMs }) : illustrator;
}

/**
 * fal, whatever IMAGE_PROVIDER says now: results of requests submitted before a switch still arrive at the
 * webhook and the sweep. Null without FAL_KEY.
 */
export function createFalProvider(env: Env): QueuedImageProvider | null {
  if (env.FAL_KEY === undefined) return null;
  return createFalImageProvider({
    queue: createFalQueue({
      credentials: env.FAL_KEY,
      proxyUrl: env.FAL_PROXY_URL,
      outputLifetime: env.FAL_OUTPUT_LIFETIME,
    }),
    webhookUrl: env.FAL_WEBHOOK_URL ?? `${env.SUPABASE_URL}/functions/v1/fal-webhook`,
    models: { photorealistic: env.FAL_MODEL_PHOTOREALISTIC, cartoon_3d: env.FAL_MODEL_CARTOON_3D },
    upscaleModel: env.FAL_UPSCALE_MODEL,
    printResolution: env.FAL_PRINT_RESOLUTION,
    prices: parsePriceTable(env.FAL_PRICES),
    pulidIdWeight: env.FAL_PULID_ID_WEIGHT,
  });
}
