import assert from "node:assert/strict";
import { decodeImage, ImageInputError, readJpegHeader } from "./image_decoding.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { encodePng, solidImage } from "./test_images.ts";

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
    (error) => error instanceof ImageInputError && error.code === "unsupported_format",
  );
});
