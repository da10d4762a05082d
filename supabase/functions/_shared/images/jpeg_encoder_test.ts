import assert from "node:assert/strict";
import { decodeJpeg } from "./image_decoding.ts";
import { readJpegHeader } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import type { RgbaImage } from "./raster.ts";
import { noisyPhoto, solidImage } from "./test_images.ts";

function psnr(a: RgbaImage, b: RgbaImage): number {
  let squared = 0;
  for (let p = 0; p < a.data.length; p += 4) {
    for (let c = 0; c < 3; c++) squared += (a.data[p + c] - b.data[p + c]) ** 2;
  }
  return 10 * Math.log10((255 * 255) / (squared / (a.width * a.height * 3)));
}

Deno.test("jpeg encoder: output decodes with the WASM decoder to the same size and close pixels", async () => {
  const source = noisyPhoto(200, 120, 3);
  const decoded = await decodeJpeg(encodeJpeg(source, { quality: 90 }));
  assert.equal(decoded.width, 200);
  assert.equal(decoded.height, 120);
  assert.ok(psnr(source, decoded) > 30, `PSNR ${psnr(source, decoded)} dB`);
});

Deno.test("jpeg encoder: sizes that are not multiples of 16 keep their edge pixels", async () => {
  const source = solidImage(17, 9, [200, 40, 90]);
  const decoded = await decodeJpeg(encodeJpeg(source));
  assert.deepEqual([decoded.width, decoded.height], [17, 9]);
  const last = (9 * 17 - 1) * 4;
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(decoded.data[last + c] - source.data[last + c]) <= 4);
});

Deno.test("jpeg encoder: writes a baseline frame header and the comment", () => {
  const bytes = encodeJpeg(solidImage(40, 30, [1, 2, 3]), { comment: "made here" });
  assert.deepEqual(readJpegHeader(bytes), { width: 40, height: 30, components: 3, progressive: false });
  assert.ok(new TextDecoder("latin1").decode(bytes).includes("made here"));
});

Deno.test("jpeg encoder: lower quality gives a smaller file", () => {
  const source = noisyPhoto(128, 128, 5);
  assert.ok(encodeJpeg(source, { quality: 50 }).length < encodeJpeg(source, { quality: 95 }).length);
});

Deno.test("jpeg encoder: quality 100 on extreme contrast still produces a decodable file", async () => {
  const source = solidImage(32, 32, [0, 0, 0]);
  for (let p = 0; p < source.data.length; p += 8) source.data.fill(255, p, p + 3);
  const decoded = await decodeJpeg(encodeJpeg(source, { quality: 100 }));
  assert.ok(psnr(source, decoded) > 20);
});
