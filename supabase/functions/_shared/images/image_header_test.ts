import assert from "node:assert/strict";
import { ImageInputError, readJpegFrame } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { solidImage } from "./test_images.ts";

const jpeg = encodeJpeg(solidImage(300, 200, [200, 120, 40]), { comment: "x".repeat(60_000) });

/** A JPEG start, then one frame header (SOF0) for `components` components of `precision` bits. */
function frameOnly(components: number, precision = 8): Uint8Array {
  const length = 8 + 3 * components;
  const sof = [0xff, 0xc0, length >> 8, length & 0xff, precision, 0x01, 0x00, 0x02, 0x00, components];
  for (let c = 0; c < components; c++) sof.push(c + 1, 0x11, 0);
  return new Uint8Array([0xff, 0xd8, ...sof]);
}

Deno.test("jpeg frame: the frame header gives the picture's size, colour components and precision", () => {
  const frame = { progressive: false };
  assert.deepEqual(readJpegFrame(jpeg), { ...frame, width: 300, height: 200, components: 3, precision: 8 });
  assert.deepEqual(readJpegFrame(frameOnly(1)), {
    ...frame,
    width: 512,
    height: 256,
    components: 1,
    precision: 8,
  });
  assert.deepEqual(readJpegFrame(frameOnly(4, 12)), {
    ...frame,
    width: 512,
    height: 256,
    components: 4,
    precision: 12,
  });
});

Deno.test("jpeg frame: a prefix that ends before the whole frame header asks for more bytes", () => {
  // The 60 kB comment segment comes before the frame header.
  for (const length of [0, 1, 2, 3, 100, 30_000, 60_010]) {
    assert.equal(readJpegFrame(jpeg.subarray(0, length)), null);
  }
  const sofAt = jpeg.findIndex((byte, i) => byte === 0xff && jpeg[i + 1] === 0xc0);
  const sofEnd = sofAt + 2 + ((jpeg[sofAt + 2] << 8) | jpeg[sofAt + 3]);
  assert.equal(readJpegFrame(jpeg.subarray(0, sofEnd - 1)), null);
  assert.equal(readJpegFrame(jpeg.subarray(0, sofEnd))?.width, 300);
});

Deno.test("jpeg frame: bytes that are not a JPEG are refused", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.throws(() => readJpegFrame(png), ImageInputError);
  assert.throws(() => readJpegFrame(new Uint8Array([0xff, 0xd8, 0x00, 0x00, 0x00, 0x00])), ImageInputError);
});

Deno.test("jpeg frame: a JPEG whose image data comes before any frame header is refused", () => {
  const scanFirst = new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 63, 0]);
  assert.throws(() => readJpegFrame(scanFirst), /no frame header/);
});
