import assert from "node:assert/strict";
import { decodeJpeg } from "./image_decoding.ts";
import { ImageInputError, readJpegHeader } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import type { RgbaImage } from "./raster.ts";
import { noisyPhoto, solidImage } from "./test_images.ts";
import { watermarkOverlay, watermarkPreview, watermarkPreviewPixels } from "./watermark.ts";

function differingPixels(a: RgbaImage, b: RgbaImage, threshold: number): number {
  let count = 0;
  for (let p = 0; p < a.data.length; p += 4) {
    const difference = Math.abs(a.data[p] - b.data[p]) + Math.abs(a.data[p + 1] - b.data[p + 1]) +
      Math.abs(a.data[p + 2] - b.data[p + 2]);
    if (difference > threshold) count++;
  }
  return count;
}

Deno.test("watermark: marks a visible share of the pixels and keeps the size of a small preview", async () => {
  const source = solidImage(640, 480, [40, 90, 160]);
  const marked = await decodeJpeg(await watermarkPreview(encodeJpeg(source, { quality: 95 })));
  assert.deepEqual([marked.width, marked.height], [640, 480]);
  const changed = differingPixels(source, marked, 30) / (640 * 480);
  assert.ok(changed > 0.03 && changed < 0.6, `${(changed * 100).toFixed(1)}% of pixels changed`);
});

Deno.test("watermark: an image larger than the preview size comes out at most 1024 px a side", async () => {
  const bytes = await watermarkPreview(encodeJpeg(noisyPhoto(1500, 900, 2)));
  const header = readJpegHeader(bytes);
  assert.deepEqual([header.width, header.height], [1024, 614]);
});

Deno.test("watermark: a JPEG whose header claims more than 2048 px is refused without decoding", async () => {
  // A frame header and nothing else: decoding it would fail, so the refusal must come from the header.
  const headerOnly = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xc0,
    0,
    11,
    8,
    0x0c,
    0x03,
    0x0c,
    0x03,
    1,
    1,
    0x11,
    0,
  ]);
  await assert.rejects(
    watermarkPreview(headerOnly),
    (error) =>
      error instanceof ImageInputError && error.code === "image_too_large" && /3075×3075/.test(error.message),
  );
});

Deno.test("watermark: the input limit is configurable", async () => {
  await assert.rejects(
    watermarkPreview(encodeJpeg(solidImage(300, 200, [1, 1, 1])), { maxInputSide: 256 }),
    (error) => error instanceof ImageInputError && error.code === "image_too_large",
  );
});

Deno.test("watermark: a non-JPEG input is refused", async () => {
  await assert.rejects(
    watermarkPreview(new TextEncoder().encode("not an image")),
    (error) => error instanceof ImageInputError && error.code === "unsupported_format",
  );
});

Deno.test("watermark: the pixel variant downscales print-size pixels and leaves its input untouched", () => {
  const print = solidImage(2050, 2050, [200, 60, 60]);
  const before = print.data.slice(0, 4096);
  const header = readJpegHeader(watermarkPreviewPixels(print));
  assert.deepEqual([header.width, header.height], [1024, 1024]);
  const small = solidImage(100, 100, [10, 200, 10]);
  const copy = small.data.slice();
  watermarkPreviewPixels(small);
  assert.deepEqual(small.data, copy);
  assert.deepEqual(print.data.slice(0, 4096), before);
});

Deno.test("watermark: the overlay for a size is drawn once and reused", () => {
  const first = watermarkOverlay(333, 222);
  assert.equal(watermarkOverlay(333, 222), first);
  assert.notEqual(watermarkOverlay(222, 333), first);
  assert.ok(first.u8.some((value, index) => index % 4 === 3 && value > 0), "the overlay has visible pixels");
});
