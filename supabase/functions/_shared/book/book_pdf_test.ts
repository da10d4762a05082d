import assert from "node:assert/strict";
import fontkit from "@pdf-lib/fontkit";
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from "pdf-lib";
import { encodeJpeg } from "../images/jpeg_encoder.ts";
import { solidImage } from "../images/test_images.ts";
import { BookLayoutError } from "./book_layout.ts";
import { type BookImage, BookImageError, type BookPdfInput, buildBookPdf, subsetTag } from "./book_pdf.ts";
import { PRINT_PROFILES } from "./print_profiles.ts";
import { sampleBook, type SampleBookOptions } from "./test_books.ts";

const SIDE = 3075;
const cover = encodeJpeg(solidImage(SIDE, SIDE, [90, 160, 220]), { quality: 80 });
const page = encodeJpeg(solidImage(SIDE, SIDE, [120, 190, 90]), { quality: 80 });
const pictureFor = (pageNumber: number) => pageNumber === 0 ? cover : page;

/** A copy of `jpeg` whose frame header says something else: only the header is ever read. */
function withFrame(jpeg: Uint8Array, change: { side?: number; components?: number }): Uint8Array {
  const copy = jpeg.slice();
  const sof = copy.findIndex((byte, i) => byte === 0xff && copy[i + 1] === 0xc0);
  if (change.side !== undefined) {
    copy.set([change.side >> 8, change.side & 0xff, change.side >> 8, change.side & 0xff], sof + 5);
  }
  if (change.components !== undefined) copy[sof + 9] = change.components;
  return copy;
}

/** In chunks of 64 kB, as a fetch body arrives. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 65536));
      at += 65536;
    },
  }, { highWaterMark: 0 });
}

function bookInput(
  options: SampleBookOptions & { asStreams?: boolean; image?: (pageNumber: number) => BookImage } = {},
): BookPdfInput {
  const book = sampleBook(options);
  return {
    ...book,
    pages: book.pages.map((bookPage) => ({
      ...bookPage,
      image: options.image?.(bookPage.pageNumber) ?? {
        width: SIDE,
        height: SIDE,
        read: () => {
          const bytes = pictureFor(bookPage.pageNumber);
          return Promise.resolve(options.asStreams === false ? bytes : streamOf(bytes));
        },
      },
    })),
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function build(
  input: BookPdfInput,
): Promise<{ bytes: Uint8Array; pageCount: number; byteLength: number }> {
  const pdf = await buildBookPdf(input);
  const bytes = await readAll(pdf.stream);
  return { bytes, pageCount: pdf.pageCount, byteLength: await pdf.byteLength };
}

const latin1 = new TextDecoder("latin1");
const book = await build(bookInput({ name: "Zoë Åsa-Marie Nguyễn", dedication: "For Zoë, with love" }));
const document = await PDFDocument.load(book.bytes);

function lookupDict(value: unknown): PDFDict {
  const found = value instanceof PDFRef ? document.context.lookup(value) : value;
  assert.ok(found instanceof PDFDict, "a dictionary was expected");
  return found;
}

Deno.test("the PDF has the plan's 14 pages, each a 738 pt sheet with the bleed box on it and the trim 9 pt in", () => {
  assert.equal(book.pageCount, 14);
  assert.equal(document.getPageCount(), 14);
  for (const pdfPage of document.getPages()) {
    assert.deepEqual(pdfPage.getMediaBox(), { x: 0, y: 0, width: 738, height: 738 });
    assert.deepEqual(pdfPage.getBleedBox(), { x: 0, y: 0, width: 738, height: 738 });
    assert.deepEqual(pdfPage.getTrimBox(), { x: 9, y: 9, width: 720, height: 720 });
  }
});

Deno.test("the saddle-stitch book has 16 pages of 630 pt, a multiple of 4", async () => {
  const lulu = await build({ ...bookInput(), profile: PRINT_PROFILES["lulu-8.5in-saddle-stitch"] });
  const loaded = await PDFDocument.load(lulu.bytes);
  assert.equal(lulu.pageCount, 16);
  assert.equal(loaded.getPageCount(), 16);
  for (const pdfPage of loaded.getPages()) {
    assert.deepEqual(pdfPage.getMediaBox(), { x: 0, y: 0, width: 630, height: 630 });
    assert.deepEqual(pdfPage.getTrimBox(), { x: 9, y: 9, width: 612, height: 612 });
  }
});

Deno.test("every picture is the page's JPEG byte for byte, drawn over the whole sheet", () => {
  const pictures = document.getPages().flatMap((pdfPage, index) => {
    const xObjects = pdfPage.node.Resources()?.lookupMaybe(PDFName.of("XObject"), PDFDict);
    return (xObjects?.values() ?? []).map((ref) => ({ index, picture: document.context.lookup(ref) }));
  });
  assert.equal(pictures.length, 11);
  for (const { index, picture } of pictures) {
    assert.ok(picture instanceof PDFRawStream);
    const entry = (key: string) => picture.dict.get(PDFName.of(key))?.toString();
    assert.equal(entry("Filter"), "/DCTDecode");
    assert.equal(entry("ColorSpace"), "/DeviceRGB");
    assert.deepEqual([entry("Width"), entry("Height"), entry("BitsPerComponent")], ["3075", "3075", "8"]);
    assert.deepEqual(picture.contents, index === 0 ? cover : page, `page ${index}`);
  }
});

Deno.test("both fonts are embedded as tagged subsets whose every glyph keeps its outline", () => {
  const fonts = document.context.enumerateIndirectObjects().flatMap(([, object]) =>
    object instanceof PDFDict && object.get(PDFName.of("FontFile2")) ? [object] : []
  );
  assert.deepEqual(
    fonts.map((descriptor) => descriptor.get(PDFName.of("FontName"))!.toString().replace(/^\/[A-Z]{6}\+/, ""))
      .sort(),
    ["Andika", "Andika-Bold"],
  );
  for (const descriptor of fonts) {
    const file = document.context.lookup(descriptor.get(PDFName.of("FontFile2")));
    assert.ok(file instanceof PDFRawStream);
    const subset = fontkit.create(decodePDFRawStream(file).decode());
    assert.ok(subset.numGlyphs > 10 && subset.numGlyphs < 120, `${subset.numGlyphs} glyphs: not a subset`);
    // Glyph 0 is .notdef; a space has no outline. Every other glyph drawn must have one.
    const empty = Array.from({ length: subset.numGlyphs }, (_, id) => id)
      .filter((id) =>
        id > 0 && subset.getGlyph(id).advanceWidth !== 0 && subset.getGlyph(id).path.toSVG() === ""
      );
    assert.ok(empty.length <= 1, `glyphs without outline: ${empty}`);
  }
});

Deno.test("a subset tag is six capital letters, the same for the same book and different between styles", () => {
  assert.match(subsetTag("Mia", "regular"), /^[A-Z]{6}$/);
  assert.equal(subsetTag("Mia", "regular"), subsetTag("Mia", "regular"));
  assert.notEqual(subsetTag("Mia", "regular"), subsetTag("Mia", "bold"));
  assert.notEqual(subsetTag("Mia", "regular"), subsetTag("Noah", "regular"));
});

Deno.test("every cross-reference entry points at its object, and startxref at the table", () => {
  const text = latin1.decode(book.bytes);
  assert.ok(text.startsWith("%PDF-1.7\n"));
  assert.ok(text.endsWith("%%EOF"));
  const startxref = Number(/startxref\n(\d+)\n%%EOF$/.exec(text)![1]);
  assert.equal(text.slice(startxref, startxref + 5), "xref\n");
  const lines = text.slice(startxref + 5).split("\n");
  let checked = 0;
  for (let at = 0; !lines[at].startsWith("trailer");) {
    const [first, count] = lines[at++].split(" ").map(Number);
    for (let n = first; n < first + count; n++) {
      const [offset, generation, kind] = lines[at++].split(" ");
      if (kind !== "n") continue;
      const expected = `${n} ${Number(generation)} obj\n`;
      assert.equal(text.slice(Number(offset), Number(offset) + expected.length), expected, `object ${n}`);
      checked++;
    }
  }
  assert.equal(checked, document.context.enumerateIndirectObjects().length);
  const size = Number(/\/Size (\d+)/.exec(text.slice(startxref))![1]);
  assert.equal(size, checked + 1);
});

Deno.test("byteLength is the length of what the stream gave", () => {
  assert.equal(book.byteLength, book.bytes.length);
});

Deno.test("the same book gives the same file, whether its pictures come as streams or as bytes", async () => {
  const input = { name: "Zoë Åsa-Marie Nguyễn", dedication: "For Zoë, with love" };
  const fromStreams = await build(bookInput(input));
  const fromBytes = await build(bookInput({ ...input, asStreams: false }));
  assert.deepEqual(fromStreams.bytes, book.bytes);
  assert.deepEqual(fromBytes.bytes, book.bytes);
});

Deno.test("the document says what it is: the book's title, made by Talecraft", () => {
  assert.equal(document.getTitle(), "Zoë Åsa-Marie Nguyễn's Enchanted Forest Adventure");
  assert.equal(document.getCreator(), "Talecraft");
});

Deno.test("a picture below 300 ppi refuses the book before any picture is read", async () => {
  let reads = 0;
  const input = bookInput({
    image: (pageNumber) => ({
      width: pageNumber === 5 ? 2048 : SIDE,
      height: pageNumber === 5 ? 2048 : SIDE,
      read: () => {
        reads++;
        return Promise.resolve(page);
      },
    }),
  });
  await assert.rejects(
    buildBookPdf(input),
    (error: Error) => error instanceof BookLayoutError && /page 5's/.test(error.message),
  );
  assert.equal(reads, 0);
});

/** Builds `input` and reads it, expecting the stream to fail; returns the error and what byteLength did. */
async function failingBuild(input: BookPdfInput): Promise<{ error: Error; lengthError: Error }> {
  const pdf = await buildBookPdf(input);
  const error = await readAll(pdf.stream).then(() => assert.fail("the stream should have failed"), (e) => e);
  const lengthError = await pdf.byteLength.then(() => assert.fail("byteLength should reject"), (e) => e);
  return { error, lengthError };
}

Deno.test("a picture smaller than it was declared errors the stream, and its source is cancelled", async () => {
  let cancelled = false;
  const small = withFrame(page, { side: 3000 });
  const input = bookInput({
    image: (pageNumber) => ({
      width: SIDE,
      height: SIDE,
      read: () => {
        if (pageNumber !== 3) return Promise.resolve(pictureFor(pageNumber));
        return Promise.resolve(
          new ReadableStream({
            start: (controller) => controller.enqueue(small.subarray(0, 4096)),
            cancel: () => {
              cancelled = true;
            },
          }),
        );
      },
    }),
  });
  const { error, lengthError } = await failingBuild(input);
  assert.ok(error instanceof BookImageError);
  assert.match(error.message, /page 3's picture is 3000 × 3000 px, not the 3075 × 3075 px/);
  assert.equal(lengthError, error);
  assert.ok(cancelled, "the picture's source was not cancelled");
});

Deno.test("a CMYK picture is refused: the book prints sRGB", async () => {
  const cmyk = withFrame(page, { components: 4 });
  const input = bookInput({
    image: (pageNumber) => ({
      width: SIDE,
      height: SIDE,
      read: () => Promise.resolve(pageNumber === 2 ? cmyk : pictureFor(pageNumber)),
    }),
  });
  const { error } = await failingBuild(input);
  assert.ok(error instanceof BookImageError);
  assert.match(error.message, /page 2's picture has 4 colour components/);
});

Deno.test("a picture that cannot be read errors the stream, naming the page", async () => {
  const input = bookInput({
    image: (pageNumber) => ({
      width: SIDE,
      height: SIDE,
      read: () =>
        pageNumber === 9 ? Promise.reject(new Error("HTTP 503")) : Promise.resolve(pictureFor(pageNumber)),
    }),
  });
  const { error } = await failingBuild(input);
  assert.ok(error instanceof BookImageError);
  assert.equal(error.message, "page 9's picture could not be read");
  assert.equal((error.cause as Error).message, "HTTP 503");
});

Deno.test("a picture that is not a JPEG errors the stream", async () => {
  const input = bookInput({
    image: (pageNumber) => ({
      width: SIDE,
      height: SIDE,
      read: () =>
        Promise.resolve(pageNumber === 0 ? new TextEncoder().encode("<html>not found</html>") : page),
    }),
  });
  const { error } = await failingBuild(input);
  assert.match(error.message, /page 0's picture is not a readable JPEG/);
});

Deno.test("cancelling the PDF stream cancels the picture being read and rejects byteLength", async () => {
  let cancelled = false;
  const firstChunk = cover.subarray(0, 65536);
  const input = bookInput({
    image: (pageNumber) => ({
      width: SIDE,
      height: SIDE,
      read: () => {
        if (pageNumber !== 0) return Promise.resolve(page);
        // The first chunk, then nothing more until cancelled, as a stalled download.
        return Promise.resolve(
          new ReadableStream({
            start: (controller) => controller.enqueue(firstChunk),
            cancel: () => {
              cancelled = true;
            },
          }),
        );
      },
    }),
  });
  const pdf = await buildBookPdf(input);
  const reader = pdf.stream.getReader();
  for (;;) {
    const { value } = await reader.read();
    if (
      value && value.length >= firstChunk.length &&
      value.subarray(-1000).every((byte, i) => byte === firstChunk[firstChunk.length - 1000 + i])
    ) break;
  }
  await reader.cancel("upload aborted");
  assert.ok(cancelled, "the picture's source was not cancelled");
  await assert.rejects(pdf.byteLength, /cancelled/);
});

Deno.test("the pages' trailer references the catalogue and the document information", () => {
  const text = latin1.decode(book.bytes);
  const trailer = text.slice(text.lastIndexOf("trailer"));
  assert.match(trailer, /\/Root \d+ 0 R/);
  assert.match(trailer, /\/Info \d+ 0 R/);
  const pagesKids = lookupDict(document.catalog.get(PDFName.of("Pages"))).get(PDFName.of("Kids"));
  assert.ok(pagesKids instanceof PDFArray);
  assert.equal(pagesKids.size(), 14);
});
