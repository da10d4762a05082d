/**
 * What one fal call costs. The table is configuration (FAL_PRICES overrides it per model) because fal changes
 * prices without notice; the defaults are fal's published prices when we wrote them.
 */
import { z } from "zod";

export interface ModelPrice {
  per_image_usd?: number;
  per_megapixel_usd?: number;
  /** multipliers on per_image_usd by requested resolution, e.g. {"4K": 2} */
  resolution_multipliers?: Record<string, number>;
}

export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_FAL_PRICES: PriceTable = {
  // https://fal.ai/models/fal-ai/nano-banana-2/edit/llms.txt: $0.08 per image; 2K x1.5, 4K x2, 0.5K x0.75.
  "fal-ai/nano-banana-2/edit": {
    per_image_usd: 0.08,
    resolution_multipliers: { "0.5K": 0.75, "2K": 1.5, "4K": 2 },
  },
  // https://fal.ai/models/fal-ai/flux-pulid/llms.txt: $0.0333 per megapixel.
  "fal-ai/flux-pulid": { per_megapixel_usd: 0.0333 },
  // https://fal.ai/models/fal-ai/seedvr/upscale/image/llms.txt: $0.001 per megapixel.
  "fal-ai/seedvr/upscale/image": { per_megapixel_usd: 0.001 },
  // PLACEHOLDER: we found no published fal price for aura-sr. Set high on purpose (a 4096 px output costs about
  // one 1K nano-banana-2 image) so spending is overestimated, never under; override it with FAL_PRICES.
  "fal-ai/aura-sr": { per_megapixel_usd: 0.005 },
};

const modelPrice = z.strictObject({
  per_image_usd: z.number().nonnegative().optional(),
  per_megapixel_usd: z.number().nonnegative().optional(),
  resolution_multipliers: z.record(z.string(), z.number().positive()).optional(),
}).refine((price) => (price.per_image_usd === undefined) !== (price.per_megapixel_usd === undefined), {
  message: "give exactly one of per_image_usd and per_megapixel_usd",
}).refine((price) => price.resolution_multipliers === undefined || price.per_image_usd !== undefined, {
  message: "resolution_multipliers apply to per_image_usd only",
});

const priceTable = z.record(z.string().min(1), modelPrice);

/**
 * The price table: the defaults, with each model named in the FAL_PRICES JSON replaced by its entry there.
 * Throws naming FAL_PRICES when the JSON is malformed.
 */
export function parsePriceTable(json: string | undefined): PriceTable {
  if (json === undefined || json.trim() === "") return { ...DEFAULT_FAL_PRICES };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error("FAL_PRICES is not valid JSON");
  }
  const parsed = priceTable.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`FAL_PRICES is not a valid price table: ${z.prettifyError(parsed.error)}`);
  }
  return { ...DEFAULT_FAL_PRICES, ...parsed.data };
}

/**
 * The cost in USD of one call: the per-image price times the multiplier of the requested resolution, or the
 * per-megapixel price times the output's megapixels. A model missing from the table throws, so a call to an
 * unpriced model is noticed rather than counted as free.
 */
export function callCostUsd(
  table: PriceTable,
  model: string,
  usage: { resolution?: string; width: number; height: number },
): number {
  const price = Object.hasOwn(table, model) ? table[model] : undefined;
  if (price === undefined) throw new Error(`no price for fal model ${model}`);
  let cost: number;
  if (price.per_image_usd !== undefined) {
    const multipliers = price.resolution_multipliers ?? {};
    const multiplier = usage.resolution !== undefined && Object.hasOwn(multipliers, usage.resolution)
      ? multipliers[usage.resolution]
      : 1;
    cost = price.per_image_usd * multiplier;
  } else if (price.per_megapixel_usd !== undefined) {
    if (!(usage.width > 0 && usage.height > 0)) {
      throw new Error(`fal model ${model} is priced by size: give one`);
    }
    cost = price.per_megapixel_usd * (usage.width * usage.height) / 1e6;
  } else {
    throw new Error(`the price of fal model ${model} has no rate`);
  }
  return Math.round(cost * 1e6) / 1e6;
}
