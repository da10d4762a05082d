/**
 * The book's typeface: Andika, by SIL International, under the SIL Open Font License 1.1 (the licence is in the
 * font files' own name table; check it with any font tool). It was designed for children learning to read:
 * single-storey "a" and "g", clearly different I, l and 1, and it covers Latin-1, Latin Extended A and B and
 * Vietnamese, so names such as "Zoë", "Åsa-Marie", "Nguyễn" or "Łucja" print as they are written.
 *
 * The TrueType files come from the npm package @expo-google-fonts/andika, pinned in the import map, and are
 * copied beside the book-worker by scripts/bundle_book_fonts.ts (run by `npm start` and `npm test`), from where
 * the deploy ships them as static files.
 */
import andikaMetadata from "@expo-google-fonts/andika/metadata.json" with { type: "json" };

export interface BookFontFiles {
  regular: Uint8Array;
  bold: Uint8Array;
}

export const BOOK_FONT_FAMILY: string = andikaMetadata.family;

/** Where the bundled font files are: the book-worker's static files. */
export const BUNDLED_FONT_DIR = new URL("../../book-worker/fonts/", import.meta.url);
export const BOOK_FONT_FILES = { regular: "Andika_400Regular.ttf", bold: "Andika_700Bold.ttf" } as const;

let loaded: Promise<BookFontFiles> | undefined;

/** Reads the two fonts once per process, prepared for subsetting; a failure is retried by the next call. */
export function loadBookFontFiles(): Promise<BookFontFiles> {
  loaded ??= (async () => ({
    regular: prepareForSubsetting(await Deno.readFile(new URL(BOOK_FONT_FILES.regular, BUNDLED_FONT_DIR))),
    bold: prepareForSubsetting(await Deno.readFile(new URL(BOOK_FONT_FILES.bold, BUNDLED_FONT_DIR))),
  }))();
  loaded.catch(() => loaded = undefined);
  return loaded;
}

interface TableRecord {
  tag: string;
  offset: number;
  length: number;
}

const TABLE_RECORD_BYTES = 16;
const OFFSET_TABLE_BYTES = 12;
/** head.checkSumAdjustment is this minus the checksum of the whole font (OpenType spec, "head" table). */
const CHECKSUM_MAGIC = 0xb1b0afba;

const alignedTo4 = (length: number) => (length + 3) & ~3;

/** The OpenType table checksum: the sum of the table's big-endian uint32 words, zero-padded, modulo 2^32. */
function tableChecksum(bytes: Uint8Array, offset: number, length: number): number {
  let sum = 0;
  for (let at = offset; at < offset + length; at += 4) {
    const word = ((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) |
      (bytes[at + 3] ?? 0);
    sum = (sum + (word >>> 0)) >>> 0;
  }
  return sum;
}

function readTables(font: Uint8Array): Map<string, TableRecord> {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const tables = new Map<string, TableRecord>();
  const count = view.getUint16(4);
  for (let i = 0; i < count; i++) {
    const at = OFFSET_TABLE_BYTES + i * TABLE_RECORD_BYTES;
    const tag = String.fromCharCode(...font.subarray(at, at + 4));
    tables.set(tag, { tag, offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  return tables;
}

/**
 * How far the font reaches above and below the baseline (its `hhea` ascender and descender), per point of
 * size, the descender as a positive depth. pdf-lib's heightAtSize cannot give these apart: without the
 * descender it subtracts the descender in font units from a height in thousandths of an em.
 */
export function verticalMetrics(font: Uint8Array): { ascent: number; descent: number } {
  const tables = readTables(font);
  const head = tables.get("head");
  const hhea = tables.get("hhea");
  if (!head || !hhea) throw new Error("not an OpenType font: no head or hhea table");
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const unitsPerEm = view.getUint16(head.offset + 18);
  return {
    ascent: view.getInt16(hhea.offset + 4) / unitsPerEm,
    descent: -view.getInt16(hhea.offset + 6) / unitsPerEm,
  };
}

/**
 * Tables pdf-lib has no use for: it draws glyphs one after another by their advance widths and ignores the
 * positions GPOS gives, and the book's text, in NFC, needs no substitution from GSUB (Andika's "a" is already
 * the single-storey one in its cmap). fontkit parses them into many objects whenever it measures or shapes
 * text: about 20 MB and half the build time for the two fonts.
 */
const UNUSED_TABLES = new Set(["GSUB", "GPOS", "GDEF"]);

/** `glyf` rebuilt with every outline padded to a multiple of 4 bytes, and the long `loca` that indexes it. */
function paddedGlyphs(
  font: Uint8Array,
  tables: Map<string, TableRecord>,
): { glyf: Uint8Array; loca: Uint8Array } {
  const head = tables.get("head");
  const maxp = tables.get("maxp");
  const loca = tables.get("loca");
  const glyf = tables.get("glyf");
  if (!head || !maxp || !loca || !glyf) throw new Error("not a TrueType font with glyf outlines");
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const longOffsets = view.getInt16(head.offset + 50) === 1;
  const glyphCount = view.getUint16(maxp.offset + 4);
  const glyphOffset = (index: number) =>
    longOffsets ? view.getUint32(loca.offset + 4 * index) : 2 * view.getUint16(loca.offset + 2 * index);

  const newLoca = new Uint8Array(4 * (glyphCount + 1));
  const locaView = new DataView(newLoca.buffer);
  let glyfLength = 0;
  for (let index = 0; index < glyphCount; index++) {
    locaView.setUint32(4 * index, glyfLength);
    glyfLength += alignedTo4(glyphOffset(index + 1) - glyphOffset(index));
  }
  locaView.setUint32(4 * glyphCount, glyfLength);
  const newGlyf = new Uint8Array(glyfLength);
  for (let index = 0; index < glyphCount; index++) {
    const outline = font.subarray(glyf.offset + glyphOffset(index), glyf.offset + glyphOffset(index + 1));
    newGlyf.set(outline, locaView.getUint32(4 * index));
  }
  return { glyf: newGlyf, loca: newLoca };
}

/** An sfnt file of `tables` (tag → contents), with its directory, table checksums and head checksum. */
function writeFont(sfntVersion: Uint8Array, tables: Map<string, Uint8Array>): Uint8Array {
  const tags = [...tables.keys()].sort((a, b) => (a < b ? -1 : 1));
  const directoryBytes = OFFSET_TABLE_BYTES + tags.length * TABLE_RECORD_BYTES;
  const total = [...tables.values()].reduce((sum, table) => sum + alignedTo4(table.length), directoryBytes);
  const output = new Uint8Array(total);
  const view = new DataView(output.buffer);
  output.set(sfntVersion);
  const entrySelector = Math.floor(Math.log2(tags.length));
  view.setUint16(4, tags.length);
  view.setUint16(6, 16 * 2 ** entrySelector);
  view.setUint16(8, entrySelector);
  view.setUint16(10, 16 * (tags.length - 2 ** entrySelector));
  let offset = directoryBytes;
  let headOffset = 0;
  tags.forEach((tag, index) => {
    const table = tables.get(tag)!;
    output.set(table, offset);
    const at = OFFSET_TABLE_BYTES + index * TABLE_RECORD_BYTES;
    for (let c = 0; c < 4; c++) output[at + c] = tag.charCodeAt(c);
    view.setUint32(at + 4, tableChecksum(output, offset, table.length));
    view.setUint32(at + 8, offset);
    view.setUint32(at + 12, table.length);
    if (tag === "head") headOffset = offset;
    offset += alignedTo4(table.length);
  });
  view.setUint32(headOffset + 8, (CHECKSUM_MAGIC - tableChecksum(output, 0, total)) >>> 0);
  return output;
}

/**
 * The TrueType font as pdf-lib can subset it: every glyph outline padded to a multiple of 4 bytes behind a
 * long `loca`, and without the layout tables (UNUSED_TABLES). Outlines, metrics and cmap are unchanged.
 *
 * Why the padding: Andika stores many glyphs at odd offsets (allowed with a long `loca`). fontkit's
 * subsetter, which pdf-lib uses, copies glyphs byte for byte and then writes a short `loca` whenever the
 * subset is under 128 KB; a short `loca` stores offsets halved, so every glyph after an odd-length one points
 * into the wrong bytes and prints as nothing. Padded glyphs keep every offset even.
 */
export function prepareForSubsetting(font: Uint8Array): Uint8Array {
  const tables = readTables(font);
  const { glyf, loca } = paddedGlyphs(font, tables);
  const head = tables.get("head")!;
  const newHead = font.slice(head.offset, head.offset + head.length);
  const headView = new DataView(newHead.buffer);
  headView.setUint32(8, 0); // checkSumAdjustment: 0 while the whole font's checksum is taken
  headView.setInt16(50, 1); // indexToLocFormat: long offsets
  const contents = new Map<string, Uint8Array>();
  for (const { tag, offset, length } of tables.values()) {
    if (!UNUSED_TABLES.has(tag)) contents.set(tag, font.subarray(offset, offset + length));
  }
  contents.set("glyf", glyf);
  contents.set("loca", loca);
  contents.set("head", newHead);
  return writeFont(font.subarray(0, 4), contents);
}
