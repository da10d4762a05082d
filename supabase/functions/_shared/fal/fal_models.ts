/**
 * Which fal model gets which input. Every input is checked against the model's documented schema
 * (@fal-ai/client 1.10.1 `types/endpoints.d.ts`, plus the ranges on the models' fal pages) before it leaves
 * here, so a wrong input fails in our code and not after a paid round trip to fal.
 */
import { z } from "zod";
import type { ArtStyle, PageImageRequest } from "../images/image_provider.ts";

export type GenerateModelId = "fal-ai/nano-banana-2/edit" | "fal-ai/flux-pulid";
export type UpscaleModelId = "fal-ai/aura-sr" | "fal-ai/seedvr/upscale/image";

export const GENERATE_MODEL_IDS = [
  "fal-ai/nano-banana-2/edit",
  "fal-ai/flux-pulid",
] as const satisfies readonly GenerateModelId[];
export const UPSCALE_MODEL_IDS = [
  "fal-ai/aura-sr",
  "fal-ai/seedvr/upscale/image",
] as const satisfies readonly UpscaleModelId[];

/** The resolution a generation is asked for: "1K" for previews, "4K" for print when the model offers it. */
export type GenerateResolution = "1K" | "4K";

/** nano-banana-2 renders 4K squares at 4096 px, above the 3075 px a printed page needs; flux-pulid has no 4K. */
export function modelOffersPrintResolution(model: GenerateModelId): boolean {
  return model === "fal-ai/nano-banana-2/edit";
}

export interface FalCall {
  endpointId: string;
  input: Record<string, unknown>;
}

export interface FalImage {
  url: string;
  width: number | null;
  height: number | null;
}

/** A model's output payload held no image. */
export class FalOutputError extends Error {
  override readonly name = "FalOutputError";
}

// fal fetches every image input itself: signed Storage URLs (https on a hosted project; the Storage URL as
// configured, so http on a self-hosted or local one), or data: URLs.
const imageUrl = z.url({ protocol: /^(https?|data)$/ });
// fal documents the seed as an integer without a range; ours are 31-bit (see create_preview), which every
// backend behind fal accepts.
const seed = z.number().int().min(0).max(2 ** 31 - 1);

const nanoBanana2EditInput = z.strictObject({
  prompt: z.string().min(1),
  image_urls: z.array(imageUrl).min(1),
  aspect_ratio: z.enum([
    "auto",
    "21:9",
    "16:9",
    "3:2",
    "4:3",
    "5:4",
    "1:1",
    "4:5",
    "3:4",
    "2:3",
    "9:16",
    "4:1",
    "1:4",
    "8:1",
    "1:8",
  ]),
  resolution: z.enum(["0.5K", "1K", "2K", "4K"]),
  output_format: z.enum(["jpeg", "png", "webp"]),
  num_images: z.number().int().min(1).max(4),
  seed,
});

const fluxPulidInput = z.strictObject({
  prompt: z.string().min(1),
  negative_prompt: z.string(),
  reference_image_url: imageUrl,
  id_weight: z.number().nonnegative(),
  start_step: z.number().int().nonnegative(),
  image_size: z.enum([
    "square_hd",
    "square",
    "portrait_4_3",
    "portrait_16_9",
    "landscape_4_3",
    "landscape_16_9",
  ]),
  seed,
  num_inference_steps: z.number().int().positive(),
  enable_safety_checker: z.boolean(),
}).refine((input) => input.start_step < input.num_inference_steps, {
  message: "start_step must come before the last inference step",
  path: ["start_step"],
});

// "Upscaling factor. More coming soon. Default value: 4": 4 is the only factor aura-sr offers.
const AURA_SR_FACTOR = 4;
const auraSrInput = z.strictObject({
  image_url: imageUrl,
  upscale_factor: z.literal(AURA_SR_FACTOR),
});

// seedvr documents upscale_factor as a float from 1 to 10; whole factors keep the output size predictable.
const SEEDVR_MAX_FACTOR = 10;
const seedvrUpscaleInput = z.strictObject({
  image_url: imageUrl,
  upscale_mode: z.enum(["target", "factor"]),
  upscale_factor: z.number().min(1).max(SEEDVR_MAX_FACTOR),
  output_format: z.enum(["png", "jpg", "webp"]),
});

/**
 * PuLID injects the identity from this step on: 4 keeps a photoreal face faithful, 0 lets a stylised render
 * still carry the likeness (PuLID's own guidance, research notes §1.4).
 */
const PULID_START_STEP: Record<ArtStyle, number> = { photorealistic: 4, cartoon_3d: 0 };

// nano-banana-2 has no negative prompt field; a short "Avoid:" line keeps the instruction readable.
const MAX_AVOID_CHARS = 240;

export function buildGenerateCall(
  model: GenerateModelId,
  request: PageImageRequest,
  resolution: GenerateResolution,
  options: { idWeight?: number } = {},
): FalCall {
  const childPhoto = request.references[0];
  if (childPhoto?.role !== "child_photo") {
    throw new Error("the child photo must be the first image reference");
  }
  // Checked before the negative prompt is folded in, which would hide an empty prompt from the schema.
  if (request.prompt.trim() === "") throw new Error("the prompt is empty");
  if (model === "fal-ai/nano-banana-2/edit") {
    return {
      endpointId: model,
      input: nanoBanana2EditInput.parse({
        prompt: withAvoidLine(request.prompt, request.negativePrompt),
        image_urls: request.references.map((reference) => reference.url),
        aspect_ratio: "1:1",
        resolution,
        output_format: "jpeg",
        num_images: 1,
        seed: request.seed,
      }),
    };
  }
  if (resolution === "4K") {
    throw new Error(`${model} has no print resolution; generate at 1K and upscale`);
  }
  return {
    endpointId: model,
    input: fluxPulidInput.parse({
      prompt: request.prompt,
      negative_prompt: request.negativePrompt,
      reference_image_url: childPhoto.url,
      id_weight: options.idWeight ?? 1,
      start_step: PULID_START_STEP[request.style],
      image_size: "square_hd",
      seed: request.seed,
      num_inference_steps: 20,
      enable_safety_checker: true,
    }),
  };
}

function withAvoidLine(prompt: string, negativePrompt: string): string {
  const kept: string[] = [];
  let length = 0;
  for (const term of negativePrompt.split(",").map((part) => part.trim()).filter(Boolean)) {
    length += term.length + 2;
    if (length > MAX_AVOID_CHARS) break;
    kept.push(term);
  }
  return kept.length === 0 ? prompt : `${prompt}\n\nAvoid: ${kept.join(", ")}.`;
}

/** The call that makes a `fromSide` px square at least `toAtLeast` px wide, with a whole upscale factor. */
export function buildUpscaleCall(
  model: UpscaleModelId,
  imageUrl: string,
  fromSide: number,
  toAtLeast: number,
): FalCall {
  if (!Number.isInteger(fromSide) || fromSide <= 0 || !Number.isInteger(toAtLeast) || toAtLeast <= 0) {
    throw new Error("upscale sides must be positive whole pixels");
  }
  if (model === "fal-ai/aura-sr") {
    if (fromSide * AURA_SR_FACTOR < toAtLeast) {
      throw new Error(
        `${model} upscales ${AURA_SR_FACTOR}x only: ${fromSide} px cannot reach ${toAtLeast} px`,
      );
    }
    return {
      endpointId: model,
      input: auraSrInput.parse({ image_url: imageUrl, upscale_factor: AURA_SR_FACTOR }),
    };
  }
  const factor = Math.ceil(toAtLeast / fromSide);
  if (factor > SEEDVR_MAX_FACTOR) {
    throw new Error(
      `${model} upscales at most ${SEEDVR_MAX_FACTOR}x: ${fromSide} px cannot reach ${toAtLeast} px`,
    );
  }
  return {
    endpointId: model,
    input: seedvrUpscaleInput.parse({
      image_url: imageUrl,
      upscale_mode: "factor",
      upscale_factor: factor,
      output_format: "jpg",
    }),
  };
}

// fal's Image and ImageFile share these fields; width and height are optional in both.
const outputFile = z.object({
  url: z.string().min(1),
  width: z.number().int().positive().nullish(),
  height: z.number().int().positive().nullish(),
  content_type: z.string().nullish(),
});
const imagesOutput = z.object({ images: z.array(outputFile).min(1) });
const imageOutput = z.object({ image: outputFile });

/** The first image of a model's output payload ({images:[…]} or {image:{…}} as the endpoints document). */
export function outputImage(payload: unknown): FalImage {
  const many = imagesOutput.safeParse(payload);
  const file = many.success ? many.data.images[0] : imageOutput.safeParse(payload).data?.image;
  if (!file) throw new FalOutputError("the fal output holds no image");
  return {
    url: file.url,
    width: file.width ?? null,
    height: file.height ?? null,
  };
}

const nsfwFlags = z.object({ has_nsfw_concepts: z.array(z.boolean()) });

/** Flux-style outputs report has_nsfw_concepts: [true] with a blacked-out image: that is a content refusal. */
export function outputIsContentRefusal(payload: unknown): boolean {
  return nsfwFlags.safeParse(payload).data?.has_nsfw_concepts[0] === true;
}
