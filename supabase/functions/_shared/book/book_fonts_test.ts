import assert from "node:assert/strict";
import fontkit from "@pdf-lib/fontkit";
import { BOOK_FONT_FAMILY, loadBookFontFiles, prepareForSubsetting, verticalMetrics } from "./book_fonts.ts";

const original = await Deno.readFile(
  new URL(import.meta.resolve("@expo-google-fonts/andika/Andika_400Regular.ttf")),
);
const files = await loadBookFontFiles();

function tables(font: Uint8Array): Map<string, { offset: number; length: number; checksum: number }> {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const result = new Map();
  for (let i = 0; i < view.getUint16(4); i++) {
    const at = 12 + 16 * i;
    result.set(String.fromCharCode(...font.subarray(at, at + 4)), {
      checksum: view.getUint32(at + 4),
      offset: view.getUint32(at + 8),
      length: view.getUint32(at + 12),
    });
  }
  return result;
}

const utf16be = (text: string) => new Uint8Array([...text].flatMap((c) => [0, c.charCodeAt(0)]));

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  for (let at = haystack.indexOf(needle[0]); at >= 0; at = haystack.indexOf(needle[0], at + 1)) {
    if (needle.every((byte, i) => haystack[at + i] === byte)) return true;
  }
  return false;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let at = 0; at < bytes.length; at += 4) {
    sum = (sum + (((bytes[at] << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) |
      (bytes[at + 3] ?? 0)) >>> 0)) >>> 0;
  }
  return sum;
}

Deno.test("the book's font is Andika, under the SIL Open Font License", () => {
  assert.equal(BOOK_FONT_FAMILY, "Andika");
  for (const file of [files.regular, files.bold]) {
    const font = fontkit.create(file);
    assert.equal(font.familyName, "Andika");
    // The name table's licence description (name ID 13), stored as UTF-16BE for Windows.
    assert.ok(
      contains(file, utf16be("This Font Software is licensed under the SIL Open Font License, Version 1.1")),
    );
  }
});

Deno.test("the font covers Latin-1, Latin Extended-A and Vietnamese, as children's names need", () => {
  const font = fontkit.create(files.regular);
  const missing: string[] = [];
  const ranges = [[0x20, 0x7e], [0xa1, 0xff], [0x100, 0x148], [0x14a, 0x17f], [0x1ea0, 0x1ef9]];
  for (const [first, last] of ranges) {
    for (let codePoint = first; codePoint <= last; codePoint++) {
      if (!font.hasGlyphForCodePoint(codePoint)) missing.push(codePoint.toString(16));
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("prepared for subsetting, every glyph keeps its outline and starts at an even offset", () => {
  const before = fontkit.create(original);
  const after = fontkit.create(prepareForSubsetting(original));
  assert.equal(after.numGlyphs, before.numGlyphs);
  for (let id = 0; id < before.numGlyphs; id += 7) {
    assert.equal(after.getGlyph(id).path.toSVG(), before.getGlyph(id).path.toSVG(), `glyph ${id}`);
    assert.equal(after.getGlyph(id).advanceWidth, before.getGlyph(id).advanceWidth);
  }
  const prepared = prepareForSubsetting(original);
  const { offset, length } = tables(prepared).get("loca")!;
  const view = new DataView(prepared.buffer, prepared.byteOffset + offset, length);
  for (let at = 0; at < length; at += 4) assert.equal(view.getUint32(at) % 4, 0);
});

Deno.test("prepared for subsetting, the font has no layout tables and every checksum holds", () => {
  const prepared = prepareForSubsetting(original);
  const found = tables(prepared);
  for (const tag of ["GSUB", "GPOS", "GDEF"]) assert.ok(!found.has(tag), tag);
  for (const tag of ["cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post"]) {
    assert.ok(found.has(tag));
  }
  for (const [tag, table] of found) {
    if (tag === "head") continue; // its checksum is taken with checkSumAdjustment zeroed
    assert.equal(checksum(prepared.subarray(table.offset, table.offset + table.length)), table.checksum, tag);
  }
  assert.equal(checksum(prepared), 0xb1b0afba);
});

Deno.test("the font reaches 1.22 em above the baseline and 0.39 em below, room for stacked accents", () => {
  const { ascent, descent } = verticalMetrics(files.regular);
  assert.equal(ascent, 2500 / 2048);
  assert.equal(descent, 800 / 2048);
});
