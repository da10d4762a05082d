/**
 * The one place image providers are built from configuration, so that a new provider (fal.ai) is one more
 * case here and nothing else changes.
 */
import type { Env } from "./env.ts";
import type { ImageProvider } from "./images/image_provider.ts";
import { withLatency } from "./images/latency_provider.ts";
import { StorybookIllustrator } from "./images/storybook_illustrator.ts";

export type ImageProviderConfig = Pick<Env, "IMAGE_PROVIDER" | "IMAGE_PROVIDER_LATENCY_MS">;

export function createImageProvider(config: ImageProviderConfig): ImageProvider {
  let provider: ImageProvider;
  switch (config.IMAGE_PROVIDER) {
    case "illustrator":
      provider = new StorybookIllustrator();
      break;
  }
  // Stands in for a remote model's queue and inference time (tests and benchmarks).
  const latencyMs = config.IMAGE_PROVIDER_LATENCY_MS ?? 0;
  return latencyMs > 0 ? withLatency(provider, { latencyMs }) : provider;
}
