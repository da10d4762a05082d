import encodeWebpWasm from "@jsquash/webp/encode.js";
import type { EncodeOptions as WebpEncodeOptions } from "@jsquash/webp/meta.js";
import assert from "node:assert/strict";
import { pngWithHeader } from "../../../../tests/support/exif_builder.ts";
import { decodeImage, decodeJpeg, renewingDecoder } from "./image_decoding.ts";
import {
  ImageInputError,
  type ImageInputErrorCode,
  readImageHeader,
  readJpegHeader,
  sniffImageFormat,
} from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { createRgbaImage, type RgbaImage } from "./raster.ts";
import { encodePng, noisyPhoto, solidImage } from "./test_images.ts";

async function encodeWebp(image: RgbaImage, options: Partial<WebpEncodeOptions> = {}): Promise<Uint8Array> {
  const imageData = { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
  return new Uint8Array(await encodeWebpWasm(imageData as ImageData, options));
}

function failsWith(code: ImageInputErrorCode): (error: unknown) => boolean {
  return (error) => error instanceof ImageInputError && error.code === code;
}

/** A half-transparent gradient, so lossless round trips can be checked pixel by pixel. */
function translucentGradient(width: number, height: number): RgbaImage {
  const image = createRgbaImage(width, height);
  for (let p = 0, i = 0; p < image.data.length; p += 4, i++) {
    image.data.set([(i * 7) & 0xff, 100, 200 - (i & 0x7f), i % 2 === 0 ? 255 : 128], p);
  }
  return image;
}

/** SOI, an APP0 segment, then a progressive SOF2 claiming the given size; no image data at all. */
function headerOnlyJpeg(width: number, height: number): Uint8Array {
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0,
    4,
    0,
    0,
    0xff,
    0xc2,
    0,
    11,
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    1,
    1,
    0x11,
    0,
  ]);
}

Deno.test("image decoding: the JPEG frame header is read without decoding", () => {
  assert.deepEqual(readJpegHeader(headerOnlyJpeg(3075, 2000)), {
    width: 3075,
    height: 2000,
    components: 1,
    progressive: true,
  });
});

Deno.test("image decoding: a file that is not a JPEG is refused as unsupported", () => {
  assert.throws(
    () => readJpegHeader(encodePng(solidImage(4, 4, [0, 0, 0]))),
    (error) => error instanceof ImageInputError && error.code === "unsupported_format",
  );
});

Deno.test("image decoding: a truncated JPEG without a frame header is unreadable", () => {
  assert.throws(
    () => readJpegHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0])),
    (error) => error instanceof ImageInputError && error.code === "unreadable_image",
  );
});

Deno.test("image decoding: JPEG and PNG are told apart by content and decoded to RGBA", async () => {
  const jpeg = await decodeImage(encodeJpeg(solidImage(24, 16, [30, 160, 220])));
  assert.deepEqual([jpeg.width, jpeg.height, jpeg.data.length], [24, 16, 24 * 16 * 4]);
  assert.ok(Math.abs(jpeg.data[1] - 160) <= 3);
  const png = await decodeImage(encodePng(solidImage(5, 3, [9, 8, 7])));
  assert.deepEqual(Array.from(png.data.subarray(0, 4)), [9, 8, 7, 255]);
});

Deno.test("image decoding: other formats are refused", async () => {
  await assert.rejects(
    decodeImage(new TextEncoder().encode("GIF89a not really")),
    failsWith("unsupported_format"),
  );
});

Deno.test("image sniffing names JPEG, PNG, WebP and GIF by their magic bytes", async () => {
  const small = solidImage(8, 8, [10, 20, 30]);
  assert.equal(sniffImageFormat(encodeJpeg(small)), "jpeg");
  assert.equal(sniffImageFormat(encodePng(small)), "png");
  assert.equal(sniffImageFormat(await encodeWebp(small)), "webp");
  assert.equal(sniffImageFormat(new TextEncoder().encode("GIF89a\x01\x00\x01\x00")), "gif");
  assert.equal(sniffImageFormat(new TextEncoder().encode("GIF87a\x01\x00\x01\x00")), "gif");
});

Deno.test("image sniffing names nothing for text, an empty file or a RIFF file that is not WebP", () => {
  assert.equal(sniffImageFormat(new TextEncoder().encode("hello, this is a .jpg in name only")), null);
  assert.equal(sniffImageFormat(new Uint8Array()), null);
  assert.equal(sniffImageFormat(new TextEncoder().encode("RIFF\x24\x00\x00\x00WAVEfmt ")), null);
});

Deno.test("image header: JPEG, PNG and every WebP flavour give their size without decoding", async () => {
  const opaque = noisyPhoto(37, 21);
  const translucent = translucentGradient(37, 21);
  const lossy = await encodeWebp(opaque, { quality: 80 });
  const lossless = await encodeWebp(translucent, { lossless: 1 });
  const lossyWithAlpha = await encodeWebp(translucent, { quality: 80 });
  assert.equal(new TextDecoder().decode(lossy.subarray(12, 16)), "VP8 ");
  assert.equal(new TextDecoder().decode(lossless.subarray(12, 16)), "VP8L");
  assert.equal(new TextDecoder().decode(lossyWithAlpha.subarray(12, 16)), "VP8X");
  for (
    const [format, bytes] of [
      ["jpeg", encodeJpeg(opaque)],
      ["png", encodePng(opaque)],
      ["webp", lossy],
      ["webp", lossless],
      ["webp", lossyWithAlpha],
    ] as const
  ) {
    assert.deepEqual(readImageHeader(bytes), { format, width: 37, height: 21, bytesPerPixel: 4 });
  }
});

Deno.test("image header: a PNG claiming 50000 × 50000 is read from IHDR alone", () => {
  assert.deepEqual(readImageHeader(pngWithHeader(50_000, 50_000)), {
    format: "png",
    width: 50_000,
    height: 50_000,
    bytesPerPixel: 4,
  });
});

Deno.test("image header: a VP8X WebP gives its canvas size, up to 24 bits a side", () => {
  const webp = new Uint8Array(30);
  webp.set(new TextEncoder().encode("RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00"));
  webp.set([0x10, 0, 0, 0, 0x9f, 0x86, 0x01, 0x3f, 0x42, 0x0f], 20); // alpha flag; 99999+1 × 999999+1
  assert.deepEqual(readImageHeader(webp), {
    format: "webp",
    width: 100_000,
    height: 1_000_000,
    bytesPerPixel: 4,
  });
});

Deno.test("image header: an animated WebP is refused as unsupported", () => {
  const webp = new Uint8Array(30);
  webp.set(new TextEncoder().encode("RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00"));
  webp.set([0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0], 20);
  assert.throws(() => readImageHeader(webp), failsWith("unsupported_format"));
});

Deno.test("image header: GIF, text and unknown binary data are refused as unsupported", () => {
  for (const text of ["GIF89a\x01\x00\x01\x00\x00\x00\x00", "just some text in a .jpg", "\x00\x01\x02\x03"]) {
    assert.throws(() => readImageHeader(new TextEncoder().encode(text)), failsWith("unsupported_format"));
  }
});

Deno.test("image header: an empty file or one cut inside its header is unreadable", async () => {
  const jpeg = encodeJpeg(noisyPhoto(16, 16));
  const png = encodePng(noisyPhoto(16, 16));
  const webp = await encodeWebp(noisyPhoto(16, 16));
  for (
    const bytes of [
      new Uint8Array(),
      jpeg.subarray(0, 2),
      jpeg.subarray(0, 3),
      jpeg.subarray(0, 30),
      png.subarray(0, 5),
      png.subarray(0, 20),
      webp.subarray(0, 9),
      webp.subarray(0, 24),
    ]
  ) {
    assert.throws(() => readImageHeader(bytes), failsWith("unreadable_image"), `${bytes.length} bytes`);
  }
});

Deno.test("image header: a PNG whose first chunk is not IHDR is unreadable", () => {
  const png = pngWithHeader(10, 10);
  png.set(new TextEncoder().encode("IDAT"), 12);
  assert.throws(() => readImageHeader(png), failsWith("unreadable_image"));
});

Deno.test("image decoding: a JPEG cut off inside its scan data is refused, not decoded to grey", async () => {
  const jpeg = encodeJpeg(noisyPhoto(256, 256));
  for (const fraction of [0.95, 0.5, 0.1]) {
    await assert.rejects(
      decodeJpeg(jpeg.subarray(0, Math.floor(jpeg.length * fraction))),
      failsWith("unreadable_image"),
    );
  }
  await assert.rejects(decodeJpeg(jpeg.subarray(0, jpeg.length - 2)), failsWith("unreadable_image"));
});

Deno.test("image decoding: bytes after a JPEG's end-of-image marker are ignored", async () => {
  const jpeg = encodeJpeg(solidImage(32, 16, [200, 40, 40]));
  const withTrailer = new Uint8Array(jpeg.length + 5);
  withTrailer.set(jpeg);
  withTrailer.set([1, 2, 3, 0xff, 0xd8], jpeg.length);
  const decoded = await decodeJpeg(withTrailer);
  assert.deepEqual([decoded.width, decoded.height], [32, 16]);
});

Deno.test("image decoding: lossless WebP decodes to the exact RGBA it was made from, alpha included", async () => {
  const image = translucentGradient(13, 7);
  const decoded = await decodeImage(await encodeWebp(image, { lossless: 1, exact: 1 }));
  assert.deepEqual([decoded.width, decoded.height], [13, 7]);
  assert.deepEqual(Array.from(decoded.data), Array.from(image.data));
});

Deno.test("image decoding: lossy WebP decodes to roughly its colour", async () => {
  const decoded = await decodeImage(await encodeWebp(solidImage(40, 30, [30, 160, 220]), { quality: 90 }));
  assert.deepEqual([decoded.width, decoded.height], [40, 30]);
  assert.ok(
    Math.abs(decoded.data[0] - 30) <= 4 && Math.abs(decoded.data[1] - 160) <= 4,
    `${decoded.data[0]}`,
  );
});

Deno.test("image decoding: a truncated WebP is unreadable", async () => {
  const webp = await encodeWebp(noisyPhoto(64, 64), { quality: 80 });
  await assert.rejects(
    decodeImage(webp.subarray(0, Math.floor(webp.length * 0.6))),
    failsWith("unreadable_image"),
  );
});

Deno.test("image decoding: interlaced and 4-bit PNGs are refused as unsupported rather than scrambled", async () => {
  await assert.rejects(decodeImage(pngWithHeader(8, 8, { interlace: 1 })), failsWith("unsupported_format"));
  await assert.rejects(decodeImage(pngWithHeader(8, 8, { bitDepth: 4 })), failsWith("unsupported_format"));
});

Deno.test("image decoding: a PNG whose image data is not zlib is unreadable", async () => {
  await assert.rejects(decodeImage(pngWithHeader(8, 8)), failsWith("unreadable_image"));
});

Deno.test("a decoder that has decoded a large image is restarted before its next decode, a small one is not", async () => {
  const steps: string[] = [];
  const decoder = renewingDecoder(() => steps.push("start"), 100);
  const decodeOf = (width: number, height: number) => () => {
    steps.push(`decode ${width}x${height}`);
    return Promise.resolve({ width, height } as ImageData);
  };
  await decoder.run(decodeOf(10, 10));
  await decoder.run(decodeOf(20, 10));
  await decoder.run(decodeOf(5, 5));
  await decoder.run(decodeOf(5, 5));
  assert.deepEqual(steps, ["decode 10x10", "decode 20x10", "start", "decode 5x5", "decode 5x5"]);
});

Deno.test("image decoding: a JPEG of more than 100 scans is refused before it is decoded", async () => {
  const jpeg = encodeJpeg(noisyPhoto(16, 16));
  let scanStart = 2;
  while (!(jpeg[scanStart] === 0xff && jpeg[scanStart + 1] === 0xda)) {
    scanStart += 2 + ((jpeg[scanStart + 2] << 8) | jpeg[scanStart + 3]);
  }
  const scan = jpeg.subarray(scanStart, jpeg.length - 2);
  const withScans = (count: number) =>
    new Uint8Array([...jpeg.subarray(0, scanStart), ...Array(count).fill([...scan]).flat(), 0xff, 0xd9]);
  await decodeJpeg(withScans(1));
  await assert.rejects(
    decodeJpeg(withScans(101)),
    (error) =>
      error instanceof ImageInputError && error.code === "unreadable_image" &&
      error.message.includes("101 scans"),
  );
});
