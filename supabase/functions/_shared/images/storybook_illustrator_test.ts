import assert from "node:assert/strict";
import { decodeJpeg } from "./image_decoding.ts";
import { readJpegHeader } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { type ImageProviderError, type PageImageRequest } from "./image_provider.ts";
import { createRgbaImage } from "./raster.ts";
import {
  ILLUSTRATOR_COMMENT,
  renderStorybookScene,
  StorybookIllustrator,
  storybookLayout,
} from "./storybook_illustrator.ts";
import { KNOWN_THEME_IDS } from "./storybook_themes.ts";
import { dataUrl, encodePng, meanColour, solidImage } from "./test_images.ts";

const MAGENTA = [255, 0, 255] as const;

function request(overrides: Partial<PageImageRequest> = {}): PageImageRequest {
  return {
    storyId: "story-1",
    pageNumber: 1,
    themeId: "enchanted_forest",
    style: "cartoon_3d",
    prompt: "a child in a forest",
    negativePrompt: "",
    seed: 1234,
    size: 1024,
    references: [],
    ...overrides,
  };
}

function isNear(colour: readonly number[], target: readonly number[], tolerance: number): boolean {
  return colour.every((value, i) => Math.abs(value - target[i]) <= tolerance);
}

Deno.test("illustrator: the same request gives the same bytes", async () => {
  const illustrator = new StorybookIllustrator();
  const photo = dataUrl(encodePng(solidImage(64, 64, MAGENTA)), "image/png");
  const withPhoto = request({ references: [{ role: "child_photo", url: photo }] });
  const first = await illustrator.generate(withPhoto);
  const second = await illustrator.generate(withPhoto);
  assert.deepEqual(first.bytes, second.bytes);
});

Deno.test("illustrator: another page, seed or theme gives a different picture", () => {
  const base = renderStorybookScene(request(), null).data;
  for (const change of [{ pageNumber: 2 }, { seed: 99 }, { themeId: "ocean_explorer" }]) {
    assert.notDeepEqual(renderStorybookScene(request(change), null).data, base, JSON.stringify(change));
  }
});

Deno.test("illustrator: renders every known theme, and unknown ones, at the preview size", async () => {
  const illustrator = new StorybookIllustrator();
  for (const themeId of [...KNOWN_THEME_IDS, "pirate_cove"]) {
    const image = await illustrator.generate(request({ themeId, pageNumber: 0 }));
    assert.deepEqual([image.width, image.height], [1024, 1024], themeId);
    assert.deepEqual(readJpegHeader(image.bytes), {
      width: 1024,
      height: 1024,
      components: 3,
      progressive: false,
    });
  }
});

Deno.test("illustrator: renders at print size", async () => {
  const image = await new StorybookIllustrator().generate(request({ size: 3075, themeId: "magic_castle" }));
  assert.deepEqual([image.width, image.height], [3075, 3075]);
  assert.deepEqual([readJpegHeader(image.bytes).width, readJpegHeader(image.bytes).height], [3075, 3075]);
  assert.equal(image.pixels?.data.length, 3075 * 3075 * 4);
});

Deno.test("illustrator: labels itself as the in-house illustrator, in the result and in the file", async () => {
  const image = await new StorybookIllustrator().generate(request());
  assert.equal(image.provider, "talecraft-illustrator");
  assert.equal(image.contentType, "image/jpeg");
  assert.ok(new TextDecoder("latin1").decode(image.bytes.subarray(0, 200)).includes(ILLUSTRATOR_COMMENT));
});

Deno.test("illustrator: the child photo's colour fills the hero disc and nothing far outside it", async () => {
  const photo = dataUrl(encodeJpeg(solidImage(300, 300, MAGENTA), { quality: 95 }), "image/jpeg");
  const pageRequest = request({ references: [{ role: "child_photo", url: photo, faceBox: null }] });
  const image = await new StorybookIllustrator().generate(pageRequest);
  const decoded = await decodeJpeg(image.bytes);
  const { hero } = storybookLayout(pageRequest);
  assert.ok(isNear(meanColour(decoded, hero.x, hero.y, hero.radius * 0.8), MAGENTA, 12));
  const beside = meanColour(decoded, hero.x + hero.radius * 1.6, hero.y, hero.radius * 0.2);
  assert.ok(!isNear(beside, MAGENTA, 60), `beside the hero: ${beside}`);
});

Deno.test("illustrator: the face box chooses which part of the photo becomes the hero", async () => {
  // Left half green, right half magenta; the face box sits inside the magenta half.
  const photo = createRgbaImage(400, 200);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 400; x++) {
      photo.data.set(x < 200 ? [0, 200, 0, 255] : [...MAGENTA, 255], (y * 400 + x) * 4);
    }
  }
  const url = dataUrl(encodePng(photo), "image/png");
  const faceOnTheRight = request({
    references: [{ role: "child_photo", url, faceBox: { x: 270, y: 60, width: 60, height: 70 } }],
  });
  const { pixels } = await new StorybookIllustrator().generate(faceOnTheRight);
  const { hero } = storybookLayout(faceOnTheRight);
  assert.ok(isNear(meanColour(pixels!, hero.x, hero.y, hero.radius * 0.9), MAGENTA, 3));
});

Deno.test("illustrator: without a photo the hero is a drawn placeholder", async () => {
  const image = await new StorybookIllustrator().generate(request({ references: [] }));
  const { hero } = storybookLayout(request());
  const centre = meanColour(image.pixels!, hero.x, hero.y - hero.radius * 0.5, hero.radius * 0.1);
  assert.ok(isNear(centre, [246, 214, 180], 6), `placeholder skin tone expected, got ${centre}`);
});

Deno.test("illustrator: the photo is fetched with the caller's signal; HTTP errors become provider errors", async () => {
  const seen: (AbortSignal | null | undefined)[] = [];
  const respondWith = (status: number) => (_input: string | URL | Request, init?: RequestInit) => {
    seen.push(init?.signal);
    return Promise.resolve(new Response("nope", { status }));
  };
  const controller = new AbortController();
  const photoRequest = request({
    references: [{ role: "child_photo", url: "https://storage.test/photo.jpg" }],
  });
  await assert.rejects(
    new StorybookIllustrator({ fetch: respondWith(404) }).generate(photoRequest, controller.signal),
    (error: ImageProviderError) =>
      error.code === "provider_error" && !error.retryable && !error.message.includes("storage.test"),
  );
  assert.equal(seen[0], controller.signal);
  await assert.rejects(
    new StorybookIllustrator({ fetch: respondWith(503) }).generate(photoRequest),
    (error: ImageProviderError) => error.code === "provider_error" && error.retryable,
  );
});

Deno.test("illustrator: a photo that is not an image is refused for good", async () => {
  const url = dataUrl(new TextEncoder().encode("hello"), "text/plain");
  await assert.rejects(
    new StorybookIllustrator().generate(request({ references: [{ role: "child_photo", url }] })),
    (error: ImageProviderError) => error.code === "provider_error" && !error.retryable,
  );
});

Deno.test("illustrator: an already aborted signal rejects with an abort error", async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    new StorybookIllustrator().generate(request(), controller.signal),
    (error: ImageProviderError) => error.code === "aborted" && error.retryable,
  );
});
