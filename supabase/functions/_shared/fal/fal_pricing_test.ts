import assert from "node:assert/strict";
import { callCostUsd, DEFAULT_FAL_PRICES, parsePriceTable } from "./fal_pricing.ts";
import { GENERATE_MODEL_IDS, UPSCALE_MODEL_IDS } from "./fal_models.ts";

const SQUARE_1K = { width: 1024, height: 1024 };

Deno.test("every model we call has a default price", () => {
  for (const model of [...GENERATE_MODEL_IDS, ...UPSCALE_MODEL_IDS]) {
    assert.ok(callCostUsd(DEFAULT_FAL_PRICES, model, SQUARE_1K) > 0, model);
  }
});

Deno.test("nano-banana-2 costs $0.08 an image at 1K and twice that at 4K", () => {
  const table = parsePriceTable(undefined);
  assert.equal(callCostUsd(table, "fal-ai/nano-banana-2/edit", { resolution: "1K", ...SQUARE_1K }), 0.08);
  assert.equal(callCostUsd(table, "fal-ai/nano-banana-2/edit", { resolution: "2K", ...SQUARE_1K }), 0.12);
  assert.equal(
    callCostUsd(table, "fal-ai/nano-banana-2/edit", { resolution: "4K", width: 4096, height: 4096 }),
    0.16,
  );
  assert.equal(callCostUsd(table, "fal-ai/nano-banana-2/edit", { resolution: "0.5K", ...SQUARE_1K }), 0.06);
  assert.equal(callCostUsd(table, "fal-ai/nano-banana-2/edit", SQUARE_1K), 0.08);
});

Deno.test("a per-megapixel model costs its rate times the output's megapixels, to 6 decimals", () => {
  assert.equal(callCostUsd(DEFAULT_FAL_PRICES, "fal-ai/flux-pulid", SQUARE_1K), 0.034918);
  assert.equal(
    callCostUsd(DEFAULT_FAL_PRICES, "fal-ai/seedvr/upscale/image", { width: 4096, height: 4096 }),
    0.016777,
  );
});

Deno.test("a call to a model missing from the table throws", () => {
  assert.throws(() => callCostUsd(DEFAULT_FAL_PRICES, "fal-ai/nano-banana-pro/edit", SQUARE_1K), /no price/);
  assert.throws(() => callCostUsd(DEFAULT_FAL_PRICES, "toString", SQUARE_1K), /no price/);
});

Deno.test("a per-megapixel price needs the output size", () => {
  assert.throws(() => callCostUsd(DEFAULT_FAL_PRICES, "fal-ai/flux-pulid", { width: 0, height: 1024 }));
  assert.throws(() => callCostUsd(DEFAULT_FAL_PRICES, "fal-ai/flux-pulid", { width: NaN, height: 1024 }));
});

Deno.test("an unset or empty FAL_PRICES gives the defaults", () => {
  assert.deepEqual(parsePriceTable(undefined), DEFAULT_FAL_PRICES);
  assert.deepEqual(parsePriceTable("  "), DEFAULT_FAL_PRICES);
});

Deno.test("FAL_PRICES replaces the models it names and keeps the defaults of the others", () => {
  const table = parsePriceTable(JSON.stringify({
    "fal-ai/aura-sr": { per_megapixel_usd: 0.0012 },
    "fal-ai/nano-banana-pro/edit": { per_image_usd: 0.15, resolution_multipliers: { "4K": 2 } },
  }));
  assert.deepEqual(table["fal-ai/aura-sr"], { per_megapixel_usd: 0.0012 });
  assert.deepEqual(table["fal-ai/nano-banana-2/edit"], DEFAULT_FAL_PRICES["fal-ai/nano-banana-2/edit"]);
  assert.equal(
    callCostUsd(table, "fal-ai/nano-banana-pro/edit", { resolution: "4K", width: 4096, height: 4096 }),
    0.3,
  );
});

Deno.test("a malformed FAL_PRICES throws an error naming it", () => {
  for (
    const json of [
      "{not json",
      "[]",
      JSON.stringify({ "fal-ai/aura-sr": { per_megapixel_usd: -1 } }),
      JSON.stringify({ "fal-ai/aura-sr": {} }),
      JSON.stringify({ "fal-ai/aura-sr": { per_image_usd: 0.1, per_megapixel_usd: 0.1 } }),
      JSON.stringify({ "fal-ai/aura-sr": { per_megapixel_usd: 0.1, resolution_multipliers: { "4K": 2 } } }),
      JSON.stringify({ "fal-ai/aura-sr": { per_image_usd: 0.1, price: 3 } }),
    ]
  ) {
    assert.throws(() => parsePriceTable(json), /FAL_PRICES/, json);
  }
});
