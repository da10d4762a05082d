/**
 * A real book, as a printer's preflight would see it: the in-house illustrator's pictures at print size
 * (3075 px), built into a PDF and checked with poppler's tools (Debian package poppler-utils):
 * - pdfinfo: every page 738 x 738 pt with its TrimBox and BleedBox, the page count;
 * - pdffonts: every font embedded and subset;
 * - pdfimages -list: every picture a JPEG at 300 ppi or more;
 * - pdftoppm: every page renders without a complaint;
 * - pdftotext: the words come back out as they were written, accents included.
 * Poppler repairs a broken file quietly, so every tool must also say nothing on stderr.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type BookPdfInput, buildBookPdf } from "../../supabase/functions/_shared/book/book_pdf.ts";
import { PRINT_PROFILES, type PrintProfile } from "../../supabase/functions/_shared/book/print_profiles.ts";
import { StorybookIllustrator } from "../../supabase/functions/_shared/images/storybook_illustrator.ts";
import { themeStoryContent } from "../../supabase/functions/_shared/story_content/theme_catalogue.ts";
import { poppler } from "../support/poppler.ts";

const CHILD_NAME = "Siobhán Nguyễn-Åsberg";
const DEDICATION = "For Siobhán, who loves owls: Zoë, Łucja and Grandma Åsa";
const PRINT_SIDE = 3075;

const story = themeStoryContent("enchanted_forest", {
  name: CHILD_NAME,
  age: 6,
  pronouns: "she",
  dedication: DEDICATION,
})!;
const illustrator = new StorybookIllustrator();
const pictures = await Promise.all(story.pages.map(async (page) =>
  (await illustrator.generate({
    storyId: "poppler-book",
    pageNumber: page.page_number,
    themeId: "enchanted_forest",
    style: "cartoon_3d",
    prompt: page.scene,
    negativePrompt: "",
    seed: page.page_number,
    size: PRINT_SIDE,
    references: [],
  })).bytes
));

/** The picture as a download delivers it: a stream of 64 kB chunks. */
function inChunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return ReadableStream.from(function* () {
    for (let at = 0; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536);
  }());
}

function bookInput(profile: PrintProfile): BookPdfInput {
  return {
    profile,
    title: story.title,
    childName: CHILD_NAME,
    dedication: story.dedication,
    pages: story.pages.map((page, index) => ({
      pageNumber: page.page_number,
      text: page.body_text,
      image: {
        width: PRINT_SIDE,
        height: PRINT_SIDE,
        read: () => Promise.resolve(inChunks(pictures[index])),
      },
    })),
  };
}

async function writeBook(
  profile: PrintProfile,
  directory: string,
): Promise<{ path: string; pageCount: number }> {
  const pdf = await buildBookPdf(bookInput(profile));
  const path = join(directory, `${profile.id}.pdf`);
  const file = await Deno.open(path, { write: true, create: true });
  await pdf.stream.pipeTo(file.writable);
  assert.equal(await pdf.byteLength, (await Deno.stat(path)).size);
  return { path, pageCount: pdf.pageCount };
}

const directory = await Deno.makeTempDir({ prefix: "book_pdf_poppler_" });
const square = await writeBook(PRINT_PROFILES["square-10in"], directory);
const lulu = await writeBook(PRINT_PROFILES["lulu-8.5in-saddle-stitch"], directory);

Deno.test({
  name: "pdfinfo: the 10 in book has 14 pages, each 738 x 738 pt, bleed box the sheet, trim box 9 pt in",
  async fn() {
    const info = await poppler("pdfinfo", ["-box", "-f", "1", "-l", "99", square.path]);
    assert.match(info, /^Pages:\s+14$/m);
    assert.equal(square.pageCount, 14);
    for (let pageNumber = 1; pageNumber <= 14; pageNumber++) {
      const label = `Page\\s+${pageNumber}`;
      assert.match(info, new RegExp(`^${label} size:\\s+738 x 738 pts`, "m"));
      assert.match(info, new RegExp(`^${label} MediaBox:\\s+0\\.00\\s+0\\.00\\s+738\\.00\\s+738\\.00$`, "m"));
      assert.match(info, new RegExp(`^${label} BleedBox:\\s+0\\.00\\s+0\\.00\\s+738\\.00\\s+738\\.00$`, "m"));
      assert.match(info, new RegExp(`^${label} TrimBox:\\s+9\\.00\\s+9\\.00\\s+729\\.00\\s+729\\.00$`, "m"));
    }
  },
});

Deno.test("pdfinfo: the saddle-stitch book has 16 pages of 630 x 630 pt", async () => {
  const info = await poppler("pdfinfo", [lulu.path]);
  assert.match(info, /^Pages:\s+16$/m);
  assert.match(info, /^Page size:\s+630 x 630 pts/m);
  assert.equal(lulu.pageCount, 16);
});

Deno.test("pdffonts: Andika regular and bold, both embedded and subset, with Unicode maps", async () => {
  for (const { path } of [square, lulu]) {
    const rows = (await poppler("pdffonts", [path])).trim().split("\n").slice(2);
    assert.equal(rows.length, 2);
    const fonts = rows.map((row) => {
      const [name, ...rest] = row.trim().split(/\s+/);
      const [emb, sub, uni] = rest.slice(-5, -2);
      return { name: name.replace(/^[A-Z]{6}\+/, ""), tagged: /^[A-Z]{6}\+/.test(name), emb, sub, uni };
    });
    assert.deepEqual(fonts.map((font) => font.name).sort(), ["Andika", "Andika-Bold"]);
    for (const font of fonts) {
      assert.deepEqual(font, { ...font, tagged: true, emb: "yes", sub: "yes", uni: "yes" });
    }
  }
});

Deno.test("pdfimages: the 11 pictures are 3075 px JPEGs at 300 ppi or more", async () => {
  for (const [{ path }, minimumPpi] of [[square, 300], [lulu, 351]] as const) {
    const rows = (await poppler("pdfimages", ["-list", path])).trim().split("\n").slice(2);
    assert.equal(rows.length, 11);
    for (const row of rows) {
      const [, , type, width, height, color, , , encoding, , , , xPpi, yPpi] = row.trim().split(/\s+/);
      assert.deepEqual([type, width, height, color, encoding], ["image", "3075", "3075", "rgb", "jpeg"]);
      assert.ok(Number(xPpi) >= minimumPpi && Number(yPpi) >= minimumPpi, `${xPpi} × ${yPpi} ppi`);
    }
  }
});

Deno.test("pdftoppm renders every page without a complaint", async () => {
  for (const { path, pageCount } of [square, lulu]) {
    const prefix = join(directory, `render_${pageCount}`);
    await poppler("pdftoppm", ["-r", "20", "-png", path, prefix]);
    const rendered = [...Deno.readDirSync(directory)].filter((entry) =>
      entry.name.startsWith(`render_${pageCount}-`) && entry.name.endsWith(".png")
    );
    assert.equal(rendered.length, pageCount);
  }
});

Deno.test("pdftotext gives back the title, the name with its accents, the dedication and the ending", async () => {
  const text = (await poppler("pdftotext", [square.path, "-"])).replace(/\s+/g, " ");
  assert.ok(text.includes(CHILD_NAME), "the name");
  assert.ok(text.includes("Åsa"), "the dedication's accents");
  assert.ok(text.includes("The End"));
  assert.ok(text.includes("lived in a small house by a big green wood"), "page 1's text");
});

globalThis.addEventListener("unload", () => Deno.removeSync(directory, { recursive: true }));
