import encodeWebpWasm from "@jsquash/webp/encode.js";
import assert from "node:assert/strict";
import {
  exifTiff,
  withExif,
  withJpegSegment,
  withPngExif,
  withWebpExif,
} from "../../../../tests/support/exif_builder.ts";
import { applyOrientation, type ExifOrientation, readExifOrientation } from "./exif.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { createRgbaImage, type RgbaImage } from "./raster.ts";
import { encodePng, solidImage } from "./test_images.ts";

const jpeg = encodeJpeg(solidImage(16, 8, [120, 120, 120]));

async function encodeWebp(image: RgbaImage, options: { lossless?: number } = {}): Promise<Uint8Array> {
  const imageData = { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
  return new Uint8Array(await encodeWebpWasm(imageData as ImageData, options));
}

Deno.test("exif: the orientation is read from a JPEG's APP1 in both TIFF byte orders", () => {
  for (const byteOrder of ["II", "MM"] as const) {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const tagged = withExif(jpeg, { orientation, make: "TestCam" }, { byteOrder });
      assert.equal(readExifOrientation(tagged, "jpeg"), orientation, `${byteOrder} ${orientation}`);
    }
  }
});

Deno.test("exif: the orientation is found after a GPS pointer and behind other APPn segments", () => {
  const xmp = new TextEncoder().encode("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>");
  const tagged = withJpegSegment(
    withExif(jpeg, { orientation: 6, make: "TestCam", gps: { latitude: 51.5, longitude: -0.12 } }),
    0xe1,
    xmp,
  );
  assert.equal(readExifOrientation(tagged, "jpeg"), 6);
});

Deno.test("exif: a JPEG without EXIF, or with an orientation outside 1–8, counts as upright", () => {
  assert.equal(readExifOrientation(jpeg, "jpeg"), 1);
  assert.equal(readExifOrientation(withExif(jpeg, { make: "TestCam" }), "jpeg"), 1);
  assert.equal(readExifOrientation(withExif(jpeg, { orientation: 9 }), "jpeg"), 1);
  assert.equal(readExifOrientation(withExif(jpeg, { orientation: 0 }), "jpeg"), 1);
});

Deno.test("exif: the orientation is read from a PNG's eXIf chunk", () => {
  const png = encodePng(solidImage(4, 4, [0, 0, 0]));
  assert.equal(readExifOrientation(png, "png"), 1);
  assert.equal(readExifOrientation(withPngExif(png, { orientation: 8 }, { byteOrder: "MM" }), "png"), 8);
});

Deno.test("exif: the orientation is read from a WebP's EXIF chunk, with or without an Exif prefix", async () => {
  const lossy = await encodeWebp(solidImage(6, 4, [1, 2, 3]));
  const lossless = await encodeWebp(solidImage(6, 4, [1, 2, 3]), { lossless: 1 });
  assert.equal(readExifOrientation(lossy, "webp"), 1);
  assert.equal(readExifOrientation(withWebpExif(lossy, { orientation: 3 }), "webp"), 3);
  assert.equal(
    readExifOrientation(withWebpExif(lossless, { orientation: 5 }, { exifPrefix: true }), "webp"),
    5,
  );
});

/** A JPEG whose APP1 holds "Exif\0\0" and then exactly these TIFF bytes. */
function jpegWithTiff(tiff: Uint8Array): Uint8Array {
  const payload = new Uint8Array(6 + tiff.length);
  payload.set(new TextEncoder().encode("Exif\0\0"));
  payload.set(tiff, 6);
  return withJpegSegment(jpeg, 0xe1, payload);
}

Deno.test("exif: hostile TIFF blocks give upright instead of reading out of bounds or looping", () => {
  const valid = exifTiff({ orientation: 6 });
  const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const ifdOutside = valid.slice();
  view(ifdOutside).setUint32(4, 0xfffffff0, true);
  const ifdOnItsHeader = valid.slice();
  view(ifdOnItsHeader).setUint32(4, 0, true);
  const hugeEntryCount = valid.slice(0, 10); // the count claims entries the block does not hold
  view(hugeEntryCount).setUint16(8, 0xffff, true);
  const selfReferencing = valid.slice();
  view(selfReferencing).setUint32(8 + 2 + 12, 8, true); // next IFD = this IFD
  const badMagic = valid.slice();
  view(badMagic).setUint16(2, 43, true);
  const cases = [
    ifdOutside,
    ifdOnItsHeader,
    hugeEntryCount,
    badMagic,
    valid.subarray(0, 5),
    new Uint8Array(),
  ];
  for (const tiff of cases) assert.equal(readExifOrientation(jpegWithTiff(tiff), "jpeg"), 1);
  assert.equal(readExifOrientation(jpegWithTiff(selfReferencing), "jpeg"), 6);
});

Deno.test("exif: an APP1 segment whose length runs past the end of the file is ignored", () => {
  const tagged = withExif(jpeg, { orientation: 6 });
  assert.equal(readExifOrientation(tagged.subarray(0, 20), "jpeg"), 1);
  const lying = tagged.slice();
  lying.set([0xff, 0xff], 4); // APP1 length 65535
  assert.equal(readExifOrientation(lying, "jpeg"), 1);
});

Deno.test("exif: PNG and WebP chunks that claim more bytes than the file holds are ignored", async () => {
  const png = withPngExif(encodePng(solidImage(4, 4, [0, 0, 0])), { orientation: 6 });
  new DataView(png.buffer).setUint32(33, 0x7fffffff); // the eXIf chunk's length
  assert.equal(readExifOrientation(png, "png"), 1);
  const webp = withWebpExif(await encodeWebp(solidImage(6, 4, [1, 2, 3])), { orientation: 6 });
  new DataView(webp.buffer).setUint32(16, 0xfffffff0, true); // the VP8X chunk's size
  assert.equal(readExifOrientation(webp, "webp"), 1);
});

/**
 *   A B C
 *   D E F
 * with each letter a distinct pixel; `rows` names the expected result the same way.
 */
const LETTERS = "ABCDEF";

function letterImage(): RgbaImage {
  const image = createRgbaImage(3, 2);
  for (let i = 0; i < 6; i++) image.data.set([LETTERS.charCodeAt(i), i * 40, 255 - i * 40, 255], i * 4);
  return image;
}

function asRows(image: RgbaImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = "";
    for (let x = 0; x < image.width; x++) {
      const p = (y * image.width + x) * 4;
      const letter = LETTERS.indexOf(String.fromCharCode(image.data[p]));
      assert.deepEqual(
        Array.from(image.data.subarray(p, p + 4)),
        Array.from(letterImage().data.subarray(letter * 4, letter * 4 + 4)),
      );
      row += LETTERS[letter];
    }
    rows.push(row);
  }
  return rows;
}

const EXPECTED_ROWS: Record<ExifOrientation, string[]> = {
  1: ["ABC", "DEF"],
  2: ["CBA", "FED"], // mirrored left-right
  3: ["FED", "CBA"], // turned 180°
  4: ["DEF", "ABC"], // mirrored top-bottom
  5: ["AD", "BE", "CF"], // transposed
  6: ["DA", "EB", "FC"], // turned 90° clockwise
  7: ["FC", "EB", "DA"], // transversed
  8: ["CF", "BE", "AD"], // turned 90° anticlockwise
};

for (const [orientation, rows] of Object.entries(EXPECTED_ROWS)) {
  Deno.test(`exif: orientation ${orientation} puts every pixel where the viewer expects it`, () => {
    const turned = applyOrientation(letterImage(), Number(orientation) as ExifOrientation);
    assert.deepEqual([turned.width, turned.height], [rows[0].length, rows.length]);
    assert.deepEqual(asRows(turned), rows);
  });
}

Deno.test("exif: applying an orientation leaves the source image untouched", () => {
  const source = letterImage();
  applyOrientation(source, 6);
  assert.deepEqual(asRows(source), ["ABC", "DEF"]);
});
