import assert from "node:assert/strict";
import type { PageImageRequest } from "../images/image_provider.ts";
import {
  buildGenerateCall,
  buildUpscaleCall,
  FalOutputError,
  GENERATE_MODEL_IDS,
  modelOffersPrintResolution,
  outputImage,
  outputIsContentRefusal,
  UPSCALE_MODEL_IDS,
} from "./fal_models.ts";

const CHILD_PHOTO = "https://project.supabase.co/storage/v1/object/sign/photos/child.jpg?token=photo";
const COVER = "https://project.supabase.co/storage/v1/object/sign/pages/cover.jpg?token=cover";

function pageRequest(overrides: Partial<PageImageRequest> = {}): PageImageRequest {
  return {
    storyId: "story-1",
    pageNumber: 3,
    themeId: "space",
    style: "photorealistic",
    prompt: "A child floats past the moon.",
    negativePrompt: "text, watermark, scary",
    seed: 1234,
    size: 1024,
    references: [{ role: "child_photo", url: CHILD_PHOTO }, { role: "character_anchor", url: COVER }],
    ...overrides,
  };
}

Deno.test("the model id lists hold every model exactly once", () => {
  assert.deepEqual([...GENERATE_MODEL_IDS], ["fal-ai/nano-banana-2/edit", "fal-ai/flux-pulid"]);
  assert.deepEqual([...UPSCALE_MODEL_IDS], ["fal-ai/aura-sr", "fal-ai/seedvr/upscale/image"]);
});

Deno.test("only nano-banana-2 renders at print resolution", () => {
  assert.equal(modelOffersPrintResolution("fal-ai/nano-banana-2/edit"), true);
  assert.equal(modelOffersPrintResolution("fal-ai/flux-pulid"), false);
});

Deno.test("nano-banana-2 gets the child photo then the cover, a square jpeg and the page seed", () => {
  const call = buildGenerateCall("fal-ai/nano-banana-2/edit", pageRequest(), "1K");
  assert.equal(call.endpointId, "fal-ai/nano-banana-2/edit");
  assert.deepEqual(call.input, {
    prompt: "A child floats past the moon.\n\nAvoid: text, watermark, scary.",
    image_urls: [CHILD_PHOTO, COVER],
    aspect_ratio: "1:1",
    resolution: "1K",
    output_format: "jpeg",
    num_images: 1,
    seed: 1234,
  });
});

Deno.test("nano-banana-2 is asked for 4K for print and goes without the anchor before the cover exists", () => {
  const call = buildGenerateCall(
    "fal-ai/nano-banana-2/edit",
    pageRequest({ references: [{ role: "child_photo", url: CHILD_PHOTO }], negativePrompt: "" }),
    "4K",
  );
  assert.equal(call.input.resolution, "4K");
  assert.deepEqual(call.input.image_urls, [CHILD_PHOTO]);
  assert.equal(call.input.prompt, "A child floats past the moon.");
});

Deno.test("the folded negative prompt stays short however long the negative prompt is", () => {
  const negativePrompt = Array.from({ length: 60 }, (_, i) => `unwanted thing ${i}`).join(", ");
  const prompt = String(
    buildGenerateCall("fal-ai/nano-banana-2/edit", pageRequest({ negativePrompt }), "1K").input
      .prompt,
  );
  const avoid = prompt.split("Avoid: ")[1];
  assert.ok(avoid.length <= 241, `the avoid line has ${avoid.length} characters`);
  assert.ok(avoid.startsWith("unwanted thing 0, unwanted thing 1,"));
  assert.ok(avoid.endsWith("."));
});

Deno.test("flux-pulid gets the child photo only, never the anchor, and injects identity late for photoreal", () => {
  const call = buildGenerateCall("fal-ai/flux-pulid", pageRequest(), "1K");
  assert.equal(call.endpointId, "fal-ai/flux-pulid");
  assert.deepEqual(call.input, {
    prompt: "A child floats past the moon.",
    negative_prompt: "text, watermark, scary",
    reference_image_url: CHILD_PHOTO,
    id_weight: 1,
    start_step: 4,
    image_size: "square_hd",
    seed: 1234,
    num_inference_steps: 20,
    enable_safety_checker: true,
  });
});

Deno.test("flux-pulid injects identity from the first step for the cartoon style and takes an id weight", () => {
  const call = buildGenerateCall("fal-ai/flux-pulid", pageRequest({ style: "cartoon_3d" }), "1K", {
    idWeight: 1.2,
  });
  assert.equal(call.input.start_step, 0);
  assert.equal(call.input.id_weight, 1.2);
});

Deno.test("flux-pulid refuses to be asked for 4K", () => {
  assert.throws(() => buildGenerateCall("fal-ai/flux-pulid", pageRequest(), "4K"), /upscale/);
});

Deno.test("a request whose first reference is not the child photo is refused", () => {
  const references = [{ role: "character_anchor" as const, url: COVER }, {
    role: "child_photo" as const,
    url: CHILD_PHOTO,
  }];
  for (const model of GENERATE_MODEL_IDS) {
    assert.throws(() => buildGenerateCall(model, pageRequest({ references }), "1K"), /child photo/);
    assert.throws(() => buildGenerateCall(model, pageRequest({ references: [] }), "1K"), /child photo/);
  }
});

Deno.test("inputs fal would reject fail before they are sent", () => {
  for (const model of GENERATE_MODEL_IDS) {
    assert.throws(() => buildGenerateCall(model, pageRequest({ seed: -1 }), "1K"));
    assert.throws(() => buildGenerateCall(model, pageRequest({ seed: 1.5 }), "1K"));
    assert.throws(() => buildGenerateCall(model, pageRequest({ prompt: "" }), "1K"));
    assert.throws(() =>
      buildGenerateCall(
        model,
        pageRequest({ references: [{ role: "child_photo", url: "ftp://x/y.jpg" }] }),
        "1K",
      )
    );
  }
  assert.throws(() => buildGenerateCall("fal-ai/flux-pulid", pageRequest(), "1K", { idWeight: -1 }));
});

Deno.test("a data: URL reference is accepted, as fal fetches those too", () => {
  const url = "data:image/jpeg;base64,/9j/4AAQ";
  const call = buildGenerateCall(
    "fal-ai/flux-pulid",
    pageRequest({ references: [{ role: "child_photo", url }] }),
    "1K",
  );
  assert.equal(call.input.reference_image_url, url);
});

Deno.test("aura-sr upscales 4x when 4x reaches the target", () => {
  const call = buildUpscaleCall("fal-ai/aura-sr", "https://v3.fal.media/files/page.jpg", 1024, 3075);
  assert.deepEqual(call, {
    endpointId: "fal-ai/aura-sr",
    input: { image_url: "https://v3.fal.media/files/page.jpg", upscale_factor: 4 },
  });
});

Deno.test("aura-sr refuses a target 4x cannot reach", () => {
  assert.throws(
    () => buildUpscaleCall("fal-ai/aura-sr", "https://v3.fal.media/files/page.jpg", 512, 3075),
    /4x/,
  );
});

Deno.test("seedvr upscales by the smallest whole factor that reaches the target, to a jpg", () => {
  const call = buildUpscaleCall(
    "fal-ai/seedvr/upscale/image",
    "https://v3.fal.media/files/page.jpg",
    1024,
    3075,
  );
  assert.deepEqual(call, {
    endpointId: "fal-ai/seedvr/upscale/image",
    input: {
      image_url: "https://v3.fal.media/files/page.jpg",
      upscale_mode: "factor",
      upscale_factor: 4,
      output_format: "jpg",
    },
  });
  const exact = buildUpscaleCall(
    "fal-ai/seedvr/upscale/image",
    "https://v3.fal.media/files/page.jpg",
    1025,
    3075,
  );
  assert.equal(exact.input.upscale_factor, 3);
});

Deno.test("seedvr refuses a target beyond its documented 10x", () => {
  assert.throws(
    () => buildUpscaleCall("fal-ai/seedvr/upscale/image", "https://v3.fal.media/files/p.jpg", 300, 3075),
    /10x/,
  );
});

Deno.test("upscaling refuses sides that are not positive whole pixels", () => {
  for (const model of UPSCALE_MODEL_IDS) {
    assert.throws(() => buildUpscaleCall(model, "https://v3.fal.media/files/p.jpg", 0, 3075));
    assert.throws(() => buildUpscaleCall(model, "https://v3.fal.media/files/p.jpg", 1024.5, 3075));
    assert.throws(() => buildUpscaleCall(model, "not a url", 1024, 3075));
  }
});

Deno.test("the first image of an {images: [...]} output is read with its size and type", () => {
  const image = outputImage({
    images: [
      { url: "https://v3.fal.media/files/a.jpeg", width: 1024, height: 1024, content_type: "image/jpeg" },
      { url: "https://v3.fal.media/files/b.jpeg" },
    ],
    description: "",
  });
  assert.deepEqual(image, {
    url: "https://v3.fal.media/files/a.jpeg",
    width: 1024,
    height: 1024,
  });
});

Deno.test("an {image: {...}} upscaler output is read, with unknown sizes as null", () => {
  assert.deepEqual(outputImage({ image: { url: "https://v3.fal.media/files/up.png" }, timings: {} }), {
    url: "https://v3.fal.media/files/up.png",
    width: null,
    height: null,
  });
});

Deno.test("an output without an image is a FalOutputError", () => {
  for (const payload of [null, {}, { images: [] }, { image: {} }, { images: [{ width: 3 }] }, "text"]) {
    assert.throws(() => outputImage(payload), FalOutputError);
  }
});

Deno.test("a flux output flagged as nsfw is a content refusal, and an unflagged one is not", () => {
  const images = [{ url: "https://v3.fal.media/files/black.jpg" }];
  assert.equal(outputIsContentRefusal({ images, has_nsfw_concepts: [true] }), true);
  assert.equal(outputIsContentRefusal({ images, has_nsfw_concepts: [false] }), false);
  assert.equal(outputIsContentRefusal({ images, description: "" }), false);
  assert.equal(outputIsContentRefusal(null), false);
});
