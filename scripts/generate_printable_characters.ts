/**
 * Rewrites PRINTABLE_RANGES in supabase/functions/_shared/book/printable_characters.ts from the book's fonts:
 * the code points that both Andika faces, as loadBookFontFiles reads them, map to a glyph other than .notdef.
 * Run it when the font package changes (printable_characters_test.ts fails until it is run).
 *
 * CLI: deno run -A scripts/generate_printable_characters.ts
 */
import fontkit from "@pdf-lib/fontkit";
import { loadBookFontFiles } from "../supabase/functions/_shared/book/book_fonts.ts";

const TARGET = new URL("../supabase/functions/_shared/book/printable_characters.ts", import.meta.url);
const LINE_WIDTH = 110;
const INDENT = "  ";

function mappedCodePoints(file: Uint8Array): Set<number> {
  const font = fontkit.create(file);
  return new Set(font.characterSet.filter((codePoint) => font.glyphForCodePoint(codePoint).id !== 0));
}

/** Sorted code points as [first, last] runs of consecutive ones. */
function toRanges(codePoints: Iterable<number>): [number, number][] {
  const ranges: [number, number][] = [];
  for (const codePoint of [...codePoints].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last[1] === codePoint - 1) last[1] = codePoint;
    else ranges.push([codePoint, codePoint]);
  }
  return ranges;
}

const hex = (codePoint: number) => `0x${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;

/** The array's elements, as many to a line as fit (the declaration is exempt from `deno fmt`). */
function formatRanges(ranges: readonly (readonly [number, number])[]): string {
  const lines: string[] = [];
  let line = "";
  for (const [first, last] of ranges) {
    const pair = `[${hex(first)}, ${hex(last)}],`;
    if (line && (INDENT + line + " " + pair).length > LINE_WIDTH) {
      lines.push(INDENT + line);
      line = pair;
    } else line = line ? `${line} ${pair}` : pair;
  }
  if (line) lines.push(INDENT + line);
  return lines.join("\n");
}

const files = await loadBookFontFiles();
const bold = mappedCodePoints(files.bold);
const both = [...mappedCodePoints(files.regular)].filter((codePoint) => bold.has(codePoint));
const ranges = toRanges(both);
const source = await Deno.readTextFile(TARGET);
const declaration = /(export const PRINTABLE_RANGES: [^=]+= \[\n)[\s\S]*?(\n?\];)/;
if (!declaration.test(source)) throw new Error(`no PRINTABLE_RANGES array in ${TARGET.pathname}`);
await Deno.writeTextFile(
  TARGET,
  source.replace(declaration, (_, head: string) => `${head}${formatRanges(ranges)}\n];`),
);
console.log(`${ranges.length} ranges, ${both.length} code points`);
