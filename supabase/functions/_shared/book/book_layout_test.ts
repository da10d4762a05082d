import assert from "node:assert/strict";
import { THEMES } from "../story_content/theme_catalogue.ts";
import {
  BookLayoutError,
  type BookPlan,
  ENDING_TEXT,
  type FontMetrics,
  type PageKind,
  planBook,
  type TextBlock,
  wrapText,
} from "./book_layout.ts";
import { PRINT_PROFILES, type PrintProfile, type Rect } from "./print_profiles.ts";
import { bookFontMetrics, sampleBook } from "./test_books.ts";

const fonts = await bookFontMetrics();
const SQUARE = PRINT_PROFILES["square-10in"];
const LULU = PRINT_PROFILES["lulu-8.5in-saddle-stitch"];

const kinds = (plan: BookPlan) => plan.pages.map((page) => page.kind);
const STORY: PageKind[] = Array(10).fill("story");

/** Every line of every page, measured again as it is drawn, lies inside its block's box and the safe area. */
function assertEveryLineInside(plan: BookPlan): void {
  const { safe } = plan.boxes;
  const inside = (inner: Rect, outer: Rect) =>
    inner.x >= outer.x - 1e-6 && inner.y >= outer.y - 1e-6 &&
    inner.x + inner.width <= outer.x + outer.width + 1e-6 &&
    inner.y + inner.height <= outer.y + outer.height + 1e-6;
  for (const [index, page] of plan.pages.entries()) {
    for (const block of page.texts) {
      const font: FontMetrics = fonts[block.font];
      assert.ok(inside(block.bounds, safe), `page ${index}: the text box leaves the safe area`);
      for (const line of block.lines) {
        const width = font.widthOf(line.text, block.size);
        assert.ok(
          Math.abs(width - line.width) < 1e-6,
          `page ${index}: "${line.text}" was measured differently`,
        );
        const box = {
          x: line.x,
          y: line.y - block.size * font.descent,
          width,
          height: block.size * (font.ascent + font.descent),
        };
        assert.ok(inside(box, block.bounds), `page ${index}: "${line.text}" runs out of its box`);
      }
    }
    for (const panel of page.panels) {
      assert.ok(inside(panel.rect, safe), `page ${index}: the panel leaves the safe area`);
    }
  }
}

const textOf = (block: TextBlock) => block.lines.map((line) => line.text).join(" ");

Deno.test("a book with a dedication has cover, title page, dedication, ten story pages and an ending", () => {
  const plan = planBook(sampleBook({ dedication: "For Mia, love from Grandma" }), SQUARE, fonts);
  assert.deepEqual(kinds(plan), ["cover", "title", "dedication", ...STORY, "ending"]);
  assert.equal(textOf(plan.pages[2].texts[0]), "For Mia, love from Grandma");
  assert.equal(textOf(plan.pages.at(-1)!.texts[0]), ENDING_TEXT);
});

Deno.test("a book without a dedication leaves the dedication page out rather than blank", () => {
  for (const dedication of [null, "", "   \n  "]) {
    const book = { ...sampleBook(), dedication };
    assert.deepEqual(kinds(planBook(book, SQUARE, fonts)), ["cover", "title", ...STORY, "ending"]);
  }
});

Deno.test("the square profile keeps the page count as it is; the saddle-stitch profile pads it to a multiple of 4", () => {
  const withDedication = sampleBook({ dedication: "For Mia" });
  const without = sampleBook({ dedication: null });
  assert.equal(planBook(withDedication, SQUARE, fonts).pages.length, 14);
  assert.equal(planBook(without, SQUARE, fonts).pages.length, 13);
  const padded = planBook(withDedication, LULU, fonts);
  assert.equal(padded.pages.length, 16);
  assert.deepEqual(kinds(padded).slice(-3), ["ending", "padding", "padding"]);
  const paddedWithout = planBook(without, LULU, fonts);
  assert.equal(paddedWithout.pages.length, 16);
  assert.deepEqual(kinds(paddedWithout).slice(-4), ["ending", "padding", "padding", "padding"]);
  assert.ok(padded.pages.filter((page) => page.kind === "padding").every((page) => page.texts.length === 0));
});

Deno.test("the pages follow the story's numbering whatever order they are given in", () => {
  const book = sampleBook();
  const plan = planBook({ ...book, pages: [...book.pages].reverse() }, SQUARE, fonts);
  const storyPages = plan.pages.filter((page) => page.kind === "story");
  assert.deepEqual(storyPages.map((page) => page.image!.pageNumber), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(plan.pages[0].image!.pageNumber, 0);
});

Deno.test("a book with a missing or repeated page number is refused", () => {
  const book = sampleBook();
  assert.throws(
    () => planBook({ ...book, pages: book.pages.filter((page) => page.pageNumber !== 4) }, SQUARE, fonts),
    (error: Error) => error instanceof BookLayoutError && /without gaps or repeats/.test(error.message),
  );
  assert.throws(
    () => planBook({ ...book, pages: [...book.pages, book.pages[3]] }, SQUARE, fonts),
    BookLayoutError,
  );
});

Deno.test("pictures cover the whole sheet, bleed included, at 300 ppi for 3075 px on the 10 in profile", () => {
  const plan = planBook(sampleBook(), SQUARE, fonts);
  for (const page of plan.pages.filter((page) => page.image)) {
    assert.deepEqual(page.image!.rect, { x: 0, y: 0, width: 738, height: 738 });
    assert.equal(page.image!.ppi, 300);
  }
});

Deno.test("a picture below 300 ppi at its printed size is refused, naming the page", () => {
  assert.throws(
    () => planBook(sampleBook({ pictureSide: 2048 }), SQUARE, fonts),
    (error: Error) =>
      error instanceof BookLayoutError && /page 0's picture is 2048 × 2048 px: 200 ppi/.test(error.message) &&
      /below the 300 ppi/.test(error.message),
  );
  // 8.75 in of sheet: 2625 px is 300 ppi, one pixel less is not.
  assert.equal(planBook(sampleBook({ pictureSide: 2625 }), LULU, fonts).pages[0].image!.ppi, 300);
  assert.throws(() => planBook(sampleBook({ pictureSide: 2624 }), LULU, fonts), BookLayoutError);
});

Deno.test("one low-resolution story page is enough to refuse the book", () => {
  const book = sampleBook();
  const pages = book.pages.map((page) =>
    page.pageNumber === 7 ? { ...page, image: { width: 3075, height: 1024 } } : page
  );
  assert.throws(
    () => planBook({ ...book, pages }, SQUARE, fonts),
    (error: Error) => /page 7's picture is 3075 × 1024 px/.test(error.message),
  );
});

Deno.test("a wide picture is centred and keeps its shape while covering the sheet", () => {
  const book = sampleBook();
  const pages = book.pages.map((page) => ({ ...page, image: { width: 4612, height: 3075 } }));
  const cover = planBook({ ...book, pages }, SQUARE, fonts).pages[0].image!;
  assert.equal(cover.rect.height, 738);
  assert.ok(Math.abs(cover.rect.width - 738 * 4612 / 3075) < 1e-9);
  assert.ok(Math.abs(cover.rect.x + cover.rect.width / 2 - 369) < 1e-9);
});

const NAMES = [
  "Zoë",
  "Åsa-Marie",
  "Nguyễn",
  "Łucja",
  "Siobhán O'Connor-Fitzgerald the Third",
  "Wolfeschlegelsteinhausenbergerdorffvoral",
  "Anna-Maria-Theresa-Josephine-Elisabetha",
  "Jean-Baptiste Emmanuel Zorg de la Tour",
];

Deno.test("every theme's text, with short, long and accented names, stays inside its panel on both profiles", () => {
  for (const profile of [SQUARE, LULU] as PrintProfile[]) {
    for (const themeId of THEMES.keys()) {
      for (const name of NAMES) {
        const plan = planBook(sampleBook({ name, themeId }), profile, fonts);
        assertEveryLineInside(plan);
      }
    }
  }
});

Deno.test("names are printed whole, with their accents, where a line can hold them", () => {
  for (const name of ["Zoë", "Åsa-Marie", "Nguyễn", "Łucja"]) {
    const plan = planBook(sampleBook({ name }), SQUARE, fonts);
    const story = plan.pages.filter((page) => page.kind === "story").map((page) => textOf(page.texts[0]));
    assert.ok(story.some((text) => text.includes(name)), `${name} is not printed whole`);
    assert.ok(textOf(plan.pages[1].texts[1]).endsWith(name));
  }
});

Deno.test("a name too wide for a cover line even at the smallest size is broken, and its pieces spell it", () => {
  const name = "Wolfeschlegelsteinhausenbergerdorffvoral";
  const plan = planBook(sampleBook({ name }), LULU, fonts);
  const title = plan.pages[0].texts[0].lines.map((line) => line.text);
  assert.ok(!title.some((line) => line.includes(name)), `the name fits one line: ${title}`);
  assert.ok(title.join("").startsWith(name), `${title}`);
});

Deno.test("a character the font has no glyph for is refused, naming it and where it is", () => {
  assert.throws(
    () => planBook(sampleBook({ name: "美咲" }), SQUARE, fonts),
    (error: Error) =>
      error instanceof BookLayoutError && error.message.includes('"美" (U+7F8E)') &&
      error.message.includes("the cover's title"),
  );
  assert.throws(
    () => planBook(sampleBook({ dedication: "Happy birthday 🎉" }), SQUARE, fonts),
    (error: Error) => error.message.includes("(U+1F389) in the dedication"),
  );
});

Deno.test("text that cannot fit even at the smallest size is refused rather than cut", () => {
  const book = sampleBook();
  const long = "And then they walked on a little further. ".repeat(40);
  const pages = book.pages.map((page) => page.pageNumber === 3 ? { ...page, text: long } : page);
  assert.throws(
    () => planBook({ ...book, pages }, SQUARE, fonts),
    (error: Error) => error instanceof BookLayoutError && /page 3's text does not fit/.test(error.message),
  );
});

Deno.test("the text is set at the largest size that fits, and never below 14 pt", () => {
  const plan = planBook(sampleBook(), SQUARE, fonts);
  const sizes = plan.pages.filter((page) => page.kind === "story").map((page) => page.texts[0].size);
  assert.ok(sizes.every((size) => size >= 14 && size <= 22), `sizes ${sizes}`);
  assert.ok(sizes.includes(22), "the theme's ordinary pages fit at the full 22 pt");
});

// A monospace measure: every grapheme is 1 wide, a space too.
const monospace = (text: string) => [...new Intl.Segmenter().segment(text)].length;

Deno.test("wrapping fills each line with whole words", () => {
  assert.deepEqual(wrapText("the owl flew over the dark wood", monospace, 12, false), [
    "the owl flew",
    "over the",
    "dark wood",
  ]);
});

Deno.test("wrapping without breaking words fails on a word longer than the line", () => {
  assert.equal(wrapText("a Wolfeschlegelstein", monospace, 10, false), null);
});

Deno.test("a word longer than the line breaks after a hyphen first, then between letters", () => {
  assert.deepEqual(wrapText("Anna-Maria-Theresa", monospace, 11, true), ["Anna-Maria-", "Theresa"]);
  assert.deepEqual(wrapText("Wolfeschlegelstein", monospace, 8, true), ["Wolfesch", "legelste", "in"]);
});

Deno.test("breaking a word never splits a letter from its combining accents", () => {
  const decomposed = "Nguye\u0302\u0303n".normalize("NFD");
  const lines = wrapText(decomposed, monospace, 4, true)!;
  assert.deepEqual(lines, ["Nguy", "e\u0302\u0303n".normalize("NFD")]);
});
