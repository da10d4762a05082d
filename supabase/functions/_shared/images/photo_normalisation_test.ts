import encodeWebpWasm from "@jsquash/webp/encode.js";
import assert from "node:assert/strict";
import {
  deflated,
  exifTiff,
  findBytes,
  hasExifSegment,
  jpegMetadataMarkers,
  pngWithHeader,
  withExif,
  withJpegSegment,
  withPngExif,
  withWebpExif,
} from "../../../../tests/support/exif_builder.ts";
import { decodeJpeg } from "./image_decoding.ts";
import { ImageInputError, type ImageInputErrorCode } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { normalisePhoto } from "./photo_normalisation.ts";
import { createRgbaImage, type RgbaImage } from "./raster.ts";
import { encodePng, meanColour, solidImage } from "./test_images.ts";

type Rgb = [number, number, number];
const RED: Rgb = [220, 30, 30];
const GREEN: Rgb = [30, 200, 60];
const BLUE: Rgb = [30, 60, 220];
const YELLOW: Rgb = [240, 220, 40];

/** Four flat quadrants, so where each corner ends up after turning is plain to see. */
function quadrants(width: number, height: number): RgbaImage {
  const image = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = y < height / 2 ? (x < width / 2 ? RED : GREEN) : (x < width / 2 ? BLUE : YELLOW);
      image.data.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return image;
}

function pixel(image: RgbaImage, x: number, y: number): number[] {
  const p = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(p, p + 4));
}

function assertNear(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  label = "",
): void {
  assert.ok(
    actual.every((value, i) => Math.abs(value - expected[i]) <= tolerance),
    `${label} ${actual.map(Math.round)} is not within ${tolerance} of ${expected}`,
  );
}

/** The corner colours, sampled a little inside each corner of the normalised pixels. */
function corners(image: RgbaImage): { topLeft: Rgb; topRight: Rgb; bottomLeft: Rgb; bottomRight: Rgb } {
  const inset = Math.max(2, Math.round(Math.min(image.width, image.height) / 8));
  const radius = inset / 2;
  return {
    topLeft: meanColour(image, inset, inset, radius),
    topRight: meanColour(image, image.width - inset, inset, radius),
    bottomLeft: meanColour(image, inset, image.height - inset, radius),
    bottomRight: meanColour(image, image.width - inset, image.height - inset, radius),
  };
}

async function encodeWebp(image: RgbaImage, options: { lossless?: number; quality?: number } = {}) {
  const imageData = { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
  return new Uint8Array(await encodeWebpWasm(imageData as ImageData, options));
}

/** A PNG whose IHDR claims the given size and whose IDAT is not zlib data, so decoding it would fail. */
function failsWith(code: ImageInputErrorCode, messagePart = ""): (error: unknown) => boolean {
  return (error) =>
    error instanceof ImageInputError && error.code === code && error.message.includes(messagePart);
}

Deno.test("normalisation refuses a 50000 × 50000 PNG bomb as image_too_large before decoding it", async () => {
  await assert.rejects(
    normalisePhoto(pngWithHeader(50_000, 50_000)),
    failsWith("image_too_large", "above the limit of 40 megapixels"),
  );
  // The same garbage data under a small header is read, and fails differently.
  await assert.rejects(
    normalisePhoto(pngWithHeader(8, 8)),
    failsWith("unreadable_image", "image data is damaged"),
  );
});

Deno.test("normalisation refuses a PNG whose data inflates beyond its header's size (an inflation bomb)", async () => {
  // 24 MB of zeros deflate to about 24 KB; the header says 100 × 100 RGB, 30 100 bytes of image data.
  const bomb = pngWithHeader(100, 100, {
    colourType: 2,
    idat: await deflated(new Uint8Array(24 * 1024 * 1024)),
  });
  assert.ok(bomb.length < 100_000, `${bomb.length} bytes`);
  await assert.rejects(
    normalisePhoto(bomb),
    failsWith("unreadable_image", "more image data than its header"),
  );
});

Deno.test("normalisation counts a 16-bit PNG's pixels twice against the limit", async () => {
  await assert.rejects(
    normalisePhoto(pngWithHeader(5000, 5000, { bitDepth: 16, colourType: 6 })),
    failsWith("image_too_large", "counted as 50 megapixels because its samples are 16-bit"),
  );
  // 16 MP of 16-bit samples counts as 32 MP: within the limit, so it goes on to be read (and fails there).
  await assert.rejects(
    normalisePhoto(pngWithHeader(4000, 4000, { bitDepth: 16, colourType: 6 })),
    failsWith("unreadable_image"),
  );
});

Deno.test("normalisation says how far over the limit a photo is, never rounding it down to the limit", async () => {
  await assert.rejects(
    normalisePhoto(pngWithHeader(7746, 5164)),
    failsWith("image_too_large", "it is 40.1 megapixels (7746 × 5164), above the limit of 40 megapixels"),
  );
});

Deno.test("normalisation accepts exactly maxPixels and refuses one row more", async () => {
  const limits = { maxPixels: 100, maxSide: 2048, jpegQuality: 90 };
  await assert.rejects(normalisePhoto(pngWithHeader(10, 10), limits), failsWith("unreadable_image"));
  await assert.rejects(normalisePhoto(pngWithHeader(10, 11), limits), failsWith("image_too_large"));
});

Deno.test("normalisation refuses an empty file and a truncated JPEG as unreadable_image", async () => {
  await assert.rejects(normalisePhoto(new Uint8Array()), failsWith("unreadable_image"));
  const jpeg = encodeJpeg(quadrants(200, 100));
  await assert.rejects(
    normalisePhoto(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))),
    failsWith("unreadable_image"),
  );
  await assert.rejects(normalisePhoto(jpeg.subarray(0, 100)), failsWith("unreadable_image"));
});

Deno.test("normalisation refuses a GIF and a text file as unsupported_format", async () => {
  const gif = new TextEncoder().encode(
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04;",
  );
  await assert.rejects(normalisePhoto(gif), failsWith("unsupported_format"));
  await assert.rejects(
    normalisePhoto(new TextEncoder().encode("definitely a photo.jpg")),
    failsWith("unsupported_format"),
  );
});

Deno.test("normalisation scales a 3000 × 1500 photo to 2048 × 1024 and stores those very pixels", async () => {
  const photo = await normalisePhoto(encodeJpeg(quadrants(3000, 1500), { quality: 95 }));
  assert.deepEqual([photo.width, photo.height], [2048, 1024]);
  assert.deepEqual([photo.image.width, photo.image.height], [2048, 1024]);
  assert.equal(photo.sourceFormat, "jpeg");
  const stored = await decodeJpeg(photo.jpeg);
  assert.deepEqual([stored.width, stored.height], [2048, 1024]);
  const expected = corners(photo.image);
  const actual = corners(stored);
  for (const corner of ["topLeft", "topRight", "bottomLeft", "bottomRight"] as const) {
    assertNear(actual[corner], expected[corner], 4, corner);
  }
  assertNear(expected.topLeft, RED, 6, "top left");
  assertNear(expected.bottomRight, YELLOW, 6, "bottom right");
});

Deno.test("normalisation leaves a photo within 2048 px at its size", async () => {
  const photo = await normalisePhoto(encodeJpeg(quadrants(640, 480)));
  assert.deepEqual([photo.width, photo.height], [640, 480]);
});

Deno.test("normalisation turns an orientation 6 photo clockwise: sides swap, bottom-left goes top-left", async () => {
  const photo = await normalisePhoto(
    withExif(encodeJpeg(quadrants(3000, 1500), { quality: 95 }), { orientation: 6 }),
  );
  assert.deepEqual([photo.width, photo.height], [1024, 2048]);
  const { topLeft, topRight, bottomLeft, bottomRight } = corners(photo.image);
  assertNear(topLeft, BLUE, 6, "top left");
  assertNear(topRight, RED, 6, "top right");
  assertNear(bottomLeft, YELLOW, 6, "bottom left");
  assertNear(bottomRight, GREEN, 6, "bottom right");
});

Deno.test("normalisation turns an orientation 8 photo anticlockwise: top-right lands top-left", async () => {
  const photo = await normalisePhoto(withExif(encodeJpeg(quadrants(120, 60)), { orientation: 8 }));
  assert.deepEqual([photo.width, photo.height], [60, 120]);
  const { topLeft, bottomLeft } = corners(photo.image);
  assertNear(topLeft, GREEN, 8, "top left");
  assertNear(bottomLeft, RED, 8, "bottom left");
});

Deno.test("normalisation turns an orientation 3 photo half round: bottom-right goes top-left", async () => {
  const photo = await normalisePhoto(
    withExif(encodeJpeg(quadrants(120, 60)), { orientation: 3 }, { byteOrder: "MM" }),
  );
  assert.deepEqual([photo.width, photo.height], [120, 60]);
  const { topLeft, bottomRight } = corners(photo.image);
  assertNear(topLeft, YELLOW, 8, "top left");
  assertNear(bottomRight, RED, 8, "bottom right");
});

Deno.test("normalisation applies the orientation of a PNG's eXIf and a WebP's EXIF chunk", async () => {
  const fromPng = await normalisePhoto(withPngExif(encodePng(quadrants(40, 20)), { orientation: 6 }));
  assert.deepEqual([fromPng.width, fromPng.height, fromPng.sourceFormat], [20, 40, "png"]);
  assertNear(corners(fromPng.image).topLeft, BLUE, 0, "png top left");
  const webp = withWebpExif(await encodeWebp(quadrants(40, 20), { lossless: 1 }), { orientation: 8 });
  const fromWebp = await normalisePhoto(webp);
  assert.deepEqual([fromWebp.width, fromWebp.height, fromWebp.sourceFormat], [20, 40, "webp"]);
  assertNear(corners(fromWebp.image).topLeft, GREEN, 0, "webp top left");
});

Deno.test("normalisation strips EXIF, GPS, XMP, ICC and comments: no APP1–APP15 or COM is left", async () => {
  const gps = exifTiff({ gps: { latitude: 48.858844, longitude: 2.294351 } });
  const latitudeRationals = gps.subarray(gps.length - 48, gps.length - 24);
  let upload = withExif(encodeJpeg(quadrants(64, 48)), {
    orientation: 1,
    make: "TalecraftTestCam",
    gps: { latitude: 48.858844, longitude: 2.294351 },
  });
  upload = withJpegSegment(
    upload,
    0xe1,
    new TextEncoder().encode("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"),
  );
  upload = withJpegSegment(upload, 0xe2, new TextEncoder().encode("ICC_PROFILE\0\x01\x01fake profile"));
  upload = withJpegSegment(upload, 0xfe, new TextEncoder().encode("taken at home by grandma"));
  assert.ok(hasExifSegment(upload));
  assert.notEqual(findBytes(upload, latitudeRationals), -1, "the input carries the GPS latitude");
  assert.deepEqual(jpegMetadataMarkers(upload), [0xfe, 0xe2, 0xe1, 0xe1]);

  const { jpeg } = await normalisePhoto(upload);
  assert.deepEqual(jpegMetadataMarkers(jpeg), []);
  assert.equal(hasExifSegment(jpeg), false);
  for (const needle of ["Exif", "TalecraftTestCam", "http://ns.adobe.com", "ICC_PROFILE", "grandma"]) {
    assert.equal(findBytes(jpeg, needle), -1, needle);
  }
  assert.equal(findBytes(jpeg, latitudeRationals), -1, "GPS latitude");
});

/** Left half opaque red; right half fully transparent (over black) on top, half-transparent red below. */
function translucentHalves(): RgbaImage {
  const image = createRgbaImage(32, 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      image.data.set(x < 16 ? [255, 0, 0, 255] : y < 16 ? [0, 0, 0, 0] : [255, 0, 0, 128], (y * 32 + x) * 4);
    }
  }
  return image;
}

Deno.test("normalisation flattens a transparent PNG onto white", async () => {
  const photo = await normalisePhoto(encodePng(translucentHalves()));
  assert.deepEqual(pixel(photo.image, 4, 4), [255, 0, 0, 255]);
  assert.deepEqual(pixel(photo.image, 24, 4), [255, 255, 255, 255]);
  assert.deepEqual(pixel(photo.image, 24, 24), [255, 127, 127, 255]);
  const stored = await decodeJpeg(photo.jpeg);
  assertNear(meanColour(stored, 24, 6, 3), [255, 255, 255], 4, "stored transparent area");
});

Deno.test("normalisation flattens a transparent WebP onto white", async () => {
  const photo = await normalisePhoto(await encodeWebp(translucentHalves(), { lossless: 1 }));
  assert.equal(photo.sourceFormat, "webp");
  assert.deepEqual(pixel(photo.image, 24, 4), [255, 255, 255, 255]);
  assert.deepEqual(pixel(photo.image, 24, 24), [255, 127, 127, 255]);
});

Deno.test("normalisation reads a lossy WebP photo", async () => {
  const photo = await normalisePhoto(await encodeWebp(solidImage(300, 200, [40, 120, 200]), { quality: 90 }));
  assert.deepEqual([photo.width, photo.height, photo.sourceFormat], [300, 200, "webp"]);
  assertNear(pixel(photo.image, 150, 100), [40, 120, 200, 255], 4);
});
