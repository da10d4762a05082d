import assert from "node:assert/strict";
import fontkit from "@pdf-lib/fontkit";
import { loadBookFontFiles } from "./book_fonts.ts";
import { BookLayoutError, planBook } from "./book_layout.ts";
import { PRINTABLE_RANGES, unprintableCharacters } from "./printable_characters.ts";
import { PRINT_PROFILES } from "./print_profiles.ts";
import { bookFontMetrics, sampleBook } from "./test_books.ts";

/** The code points a face's cmap maps to a glyph other than .notdef. */
function mappedCodePoints(file: Uint8Array): Set<number> {
  const font = fontkit.create(file);
  return new Set(font.characterSet.filter((codePoint) => font.glyphForCodePoint(codePoint).id !== 0));
}

const files = await loadBookFontFiles();
const regular = mappedCodePoints(files.regular);
const bold = mappedCodePoints(files.bold);
const inBothFaces = new Set([...regular].filter((codePoint) => bold.has(codePoint)));
const LAST_CODE_POINT = 0x10ffff;

Deno.test("the printable ranges are exactly the code points both Andika faces map to a glyph", () => {
  const listed: number[] = [];
  for (const [first, last] of PRINTABLE_RANGES) {
    for (let codePoint = first; codePoint <= last; codePoint++) listed.push(codePoint);
  }
  assert.deepEqual(listed, [...inBothFaces].sort((a, b) => a - b));
});

Deno.test("the printable ranges are sorted and as few as can be: none overlaps or touches the next", () => {
  PRINTABLE_RANGES.forEach(([first, last], index) => {
    assert.ok(first <= last, `[${first}, ${last}]`);
    if (index > 0) assert.ok(first > PRINTABLE_RANGES[index - 1][1] + 1, `[${first}, ${last}]`);
  });
});

Deno.test("every character that is its own NFC form is refused exactly when a face lacks it", () => {
  const misjudged: string[] = [];
  for (let codePoint = 0; codePoint <= LAST_CODE_POINT; codePoint++) {
    const character = String.fromCodePoint(codePoint);
    if (character.normalize("NFC") !== character || /\s/u.test(character)) continue;
    const refused = unprintableCharacters(character).length > 0;
    if (refused === inBothFaces.has(codePoint)) misjudged.push(codePoint.toString(16));
  }
  assert.deepEqual(misjudged, []);
});

Deno.test("names in Latin with accents, Vietnamese and Cyrillic are printable", () => {
  for (const name of ["Zoë", "Åsa-Marie", "Nguyễn", "Łucja", "Мария", "Ægir O'Brien-Šimić"]) {
    assert.deepEqual(unprintableCharacters(name), [], name);
  }
});

Deno.test("a Japanese name and an emoji are refused, each character named once, in order of appearance", () => {
  assert.deepEqual(unprintableCharacters("美咲"), ["美", "咲"]);
  assert.deepEqual(unprintableCharacters("Mia 🦄"), ["🦄"]);
  assert.deepEqual(unprintableCharacters("🦄 美咲, 美咲 🦄"), ["🦄", "美", "咲"]);
});

Deno.test("no-break spaces, tabs and line breaks are printable: the layout sets them as spaces", () => {
  assert.deepEqual(unprintableCharacters("Anna\u00a0Lena"), []);
  assert.deepEqual(unprintableCharacters("For Anna,\n\twith love\u3000from Grandma\r\n"), []);
});

Deno.test("a letter typed as base and combining accents is judged, and named, in its composed form", () => {
  assert.deepEqual(unprintableCharacters("Nguyễn".normalize("NFD")), []);
  // The angstrom sign has no glyph, but NFC makes it Å, which has one.
  assert.deepEqual(unprintableCharacters("\u212bsa"), []);
  // Alpha and the acute each have a glyph; the ά they compose to has none, and the layout would refuse it.
  assert.deepEqual(unprintableCharacters("\u03b1\u0301"), ["\u03ac"]);
});

Deno.test("a combining mark that composes with nothing is refused when the font has no glyph for it", () => {
  assert.deepEqual(unprintableCharacters("Mi\u0321a"), ["\u0321"]);
  assert.deepEqual(unprintableCharacters("Mi\u0331a"), []);
});

const metrics = await bookFontMetrics();
const SQUARE = PRINT_PROFILES["square-10in"];

Deno.test("the layout refuses a name or dedication exactly when this does, naming the same character", () => {
  const texts = [
    "Zoë",
    "Nguyễn".normalize("NFD"),
    "\u212bsa",
    "Anna\u00a0Lena\u2028Rose",
    "For Anna,\n\twith love\u3000from Grandma",
    "Mi\u0331a",
    "Mi\u0321a",
    "\u03b1\u0301",
    "美咲",
    "Mia 🦄",
    "👩\u200d👧",
    "❤\ufe0f Mia",
    "Ana\ud800",
    "Mia\u0007",
  ];
  for (const text of texts) {
    const refused = unprintableCharacters(text);
    for (const book of [{ ...sampleBook(), childName: text }, { ...sampleBook(), dedication: text }]) {
      const plan = () => planBook(book, SQUARE, metrics);
      if (refused.length === 0) {
        plan();
        continue;
      }
      assert.throws(plan, (error) => {
        assert.ok(error instanceof BookLayoutError);
        assert.ok(error.message.includes(`no glyph for "${refused[0]}"`), error.message);
        return true;
      }, JSON.stringify(text));
    }
  }
});
