/**
 * fal.ai behind the queued provider interface: which model draws which page (per art style, from
 * configuration), at which resolution, and how a result is read and priced. The queue itself (submit, status,
 * result, cancel through the official client) is fal_queue.ts.
 *
 * Print: a bought book's new page is drawn at 4K when FAL_PRINT_RESOLUTION is `native` and the style's model
 * offers it; otherwise at 1K, and the finisher asks the upscaler for the rest.
 */
import { z } from "zod";
import {
  type ArtStyle,
  ImageProviderError,
  PRINT_SIDE_PX,
  type ProducedImage,
  type QueuedImageProvider,
  type QueuedJob,
} from "../images/image_provider.ts";
import {
  buildGenerateCall,
  buildUpscaleCall,
  type FalCall,
  type GenerateModelId,
  type GenerateResolution,
  modelOffersPrintResolution,
  outputImage,
  outputIsContentRefusal,
  type UpscaleModelId,
} from "./fal_models.ts";
import { callCostUsd, type PriceTable } from "./fal_pricing.ts";
import type { FalQueue } from "./fal_queue.ts";

export interface FalProviderConfig {
  queue: FalQueue;
  /** Where fal delivers results: the fal-webhook function. */
  webhookUrl: string;
  models: Record<ArtStyle, GenerateModelId>;
  upscaleModel: UpscaleModelId;
  printResolution: "native" | "upscale";
  prices: PriceTable;
  /** flux-pulid's identity strength (id_weight). */
  pulidIdWeight: number;
}

export function createFalImageProvider(config: FalProviderConfig): QueuedImageProvider {
  function plan(job: QueuedJob): { call: FalCall; model: string; resolution: string } {
    if (job.stage === "upscale") {
      const call = buildUpscaleCall(config.upscaleModel, job.imageUrl, job.fromSide, PRINT_SIDE_PX);
      const factor = call.input.upscale_factor;
      return {
        call,
        model: config.upscaleModel,
        resolution: typeof factor === "number" ? `x${factor}` : "x",
      };
    }
    const model = config.models[job.request.style];
    const print = job.request.size >= PRINT_SIDE_PX;
    const resolution: GenerateResolution =
      print && config.printResolution === "native" && modelOffersPrintResolution(model) ? "4K" : "1K";
    return {
      call: buildGenerateCall(model, job.request, resolution, { idWeight: config.pulidIdWeight }),
      model,
      resolution,
    };
  }

  return {
    name: "fal",
    queued: true,

    async submit(job, signal) {
      let planned: ReturnType<typeof plan>;
      try {
        planned = plan(job);
      } catch (error) {
        // Our own input did not pass the model's schema: sending it again would not help. The message names
        // the fields only: the values include signed URLs, and the page's last error is readable by the parent.
        const fields = error instanceof z.ZodError
          ? error.issues.map((issue) => issue.path.join(".")).join(", ")
          : "request";
        throw new ImageProviderError("provider_error", `the model input is invalid (${fields})`, {
          retryable: false,
          cause: error,
        });
      }
      // The queue maps its own failures to ImageProviderError.
      const submitted = await config.queue.submit(planned.call, { webhookUrl: config.webhookUrl, signal });
      return { ...submitted, model: planned.model, resolution: planned.resolution };
    },

    status: (statusUrl, signal) => config.queue.status(statusUrl, signal),
    result: (responseUrl, signal) => config.queue.result(responseUrl, signal),
    cancel: (cancelUrl) => config.queue.cancel(cancelUrl),

    producedImage(output): ProducedImage {
      if (outputIsContentRefusal(output)) {
        throw new ImageProviderError("content_refused", "fal's safety checker blanked the image", {
          retryable: false,
        });
      }
      try {
        return { url: outputImage(output).url };
      } catch (error) {
        throw new ImageProviderError("provider_error", "fal's answer held no image", {
          retryable: true,
          cause: error,
        });
      }
    },

    costUsd: (model, resolution, width, height) =>
      callCostUsd(config.prices, model, { resolution, width, height }),
  };
}
