/**
 * The print-ready PDF of a bought book, built with pdf-lib and streamed so that it fits an edge function.
 *
 * Every page has the profile's size: MediaBox = BleedBox = trim plus bleed on every side, TrimBox inset by the
 * bleed. The text is set in Andika (book_fonts.ts), embedded as a subset. Each picture is the page's JPEG
 * embedded as it is (DCTDecode): never decoded, never re-encoded. Colour is sRGB by implication (DeviceRGB
 * JPEGs); pdf-lib cannot write an OutputIntent, so the file fits an sRGB print workflow (Lulu's) and not a
 * PDF/X one.
 *
 * Memory: pdf-lib's own save() holds every picture, then the whole file in one buffer, then returns it. Here
 * pdf-lib builds only the structure (pages, text, fonts), with each picture a reserved object number, and
 * this module writes the file itself as a stream: it opens each picture just before writing it and passes
 * its chunks through as they come, noting every object's byte offset for the cross-reference table. A
 * picture's length is an indirect object written after it, so its size need not be known in advance.
 * Given ReadableStreams (a fetch Response's body), the process holds a few chunks of one picture at a time.
 * Given whole Uint8Arrays it holds one picture at a time too, but the garbage collector frees those later,
 * so the peak is some 10–30 MB higher for 24 pictures (bench/book_bench.ts measures both).
 *
 * API:
 *   const { stream, pageCount, byteLength } = await buildBookPdf({
 *     title, childName, dedication,                    // dedication null or "": no dedication page
 *     pages: [{ pageNumber, text, image: { width, height, read } }],   // 0 the cover, 1..N the story;
 *                                                      // read(): Promise<ReadableStream<Uint8Array> | Uint8Array>
 *     profile,                                         // default square-10in
 *   });
 *   // stream: ReadableStream<Uint8Array> of the PDF; read it once (upload it).
 *   // byteLength: the file's size, resolved once the stream has been read to its end.
 *
 * Everything the plan can refuse (a missing glyph, a picture under 300 ppi, text that does not fit) rejects
 * buildBookPdf before any byte is produced. A picture that cannot be read, is not an 8-bit RGB or greyscale
 * JPEG, or is not the size it was declared with, errors the stream when its turn comes (BookImageError).
 */
import fontkit from "@pdf-lib/fontkit";
import {
  appendBezierCurve,
  closePath,
  concatTransformationMatrix,
  drawObject,
  fill,
  lineTo,
  moveTo,
  PDFContext,
  PDFCrossRefSection,
  PDFDocument,
  type PDFFont,
  PDFHeader,
  type PDFObject,
  type PDFPage,
  PDFRef,
  PDFTrailer,
  PDFTrailerDict,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setFillingRgbColor,
  setGraphicsState,
} from "pdf-lib";
import { type JpegFrame, readJpegFrame } from "../images/image_header.ts";
import { type BookFontFiles, loadBookFontFiles, verticalMetrics } from "./book_fonts.ts";
import {
  type BookFontMetrics,
  type BookInput,
  type BookPageInput,
  type FontMetrics,
  type Panel,
  planBook,
  type PlannedPage,
  type Rgb,
} from "./book_layout.ts";
import { DEFAULT_PRINT_PROFILE, type PrintProfile } from "./print_profiles.ts";

export interface BookImage {
  /** The picture's pixel size, as stored with it; checked against the JPEG's own header when it is written. */
  width: number;
  height: number;
  /**
   * The JPEG, called once, when the picture's turn comes in the stream. A stream (a fetch Response's body) is
   * read chunk by chunk and cancelled if the book fails; whole bytes are accepted too.
   */
  read: () => Promise<ReadableStream<Uint8Array> | Uint8Array>;
}

export interface BookPdfPage extends BookPageInput {
  image: BookImage;
}

export interface BookPdfInput extends BookInput {
  pages: readonly BookPdfPage[];
  /** Default: square-10in. */
  profile?: PrintProfile;
  /** Default: Andika, bundled with the book-worker (loadBookFontFiles). */
  fonts?: BookFontFiles;
}

export interface BookPdf {
  stream: ReadableStream<Uint8Array>;
  pageCount: number;
  /** The file's size in bytes, once the stream has been read to its end; rejects if it errors or is cancelled. */
  byteLength: Promise<number>;
}

export class BookImageError extends Error {
  override name = "BookImageError";
}

const encoder = new TextEncoder();
const PRODUCER = "Talecraft book builder (pdf-lib)";
/** Small objects are gathered into chunks of about this size, so that the consumer is not handed thousands. */
const CHUNK_BYTES = 64 * 1024;
/** A quarter circle drawn as a cubic Bézier: the control points sit this fraction of the radius along. */
const KAPPA = 0.5523;

/** An embedded font's measurements, as layout needs them; `file` is the font it was embedded from. */
export function fontMetrics(font: PDFFont, file: Uint8Array): FontMetrics {
  const characters = new Set(font.getCharacterSet());
  return {
    widthOf: (text, size) => font.widthOfTextAtSize(text, size),
    ...verticalMetrics(file),
    hasGlyph: (codePoint) => characters.has(codePoint),
  };
}

/**
 * A subset font's name must start with a tag of six capital letters and a "+" (PDF 32000-1, 9.6.4), which is
 * how preflight tools and poppler's pdffonts tell a subset; tags must differ between the subsets of one file.
 * Derived from the text and the style, so that the same book gives the same file.
 */
export function subsetTag(text: string, style: string): string {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(`${style}\u0000${text}`)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  let tag = "";
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(65 + (hash % 26));
    hash = Math.floor(hash / 26);
  }
  return tag;
}

/**
 * Embeds the book's two fonts as subsets (only the glyphs drawn are kept, when the document is flushed),
 * tagged from `text`, everything the book may print.
 */
export async function embedBookFonts(
  document: PDFDocument,
  files: BookFontFiles,
  text: string,
): Promise<{ regular: PDFFont; bold: PDFFont }> {
  document.registerFontkit(fontkit);
  const embed = (bytes: Uint8Array, style: string, postscriptName: string) =>
    document.embedFont(bytes, { subset: true, customName: `${subsetTag(text, style)}+${postscriptName}` });
  return {
    regular: await embed(files.regular, "regular", "Andika"),
    bold: await embed(files.bold, "bold", "Andika-Bold"),
  };
}

const colour = ([r, g, b]: Rgb) => rgb(r, g, b);

function drawPanel(page: PDFPage, context: PDFContext, panel: Panel): void {
  const { x, y, width, height } = panel.rect;
  const r = Math.min(panel.radius, width / 2, height / 2);
  const k = r * KAPPA;
  const translucent = page.node.newExtGState("GS", context.obj({ Type: "ExtGState", ca: panel.opacity }));
  page.pushOperators(
    pushGraphicsState(),
    setGraphicsState(translucent),
    setFillingRgbColor(...panel.color),
    moveTo(x + r, y),
    lineTo(x + width - r, y),
    appendBezierCurve(x + width - r + k, y, x + width, y + r - k, x + width, y + r),
    lineTo(x + width, y + height - r),
    appendBezierCurve(
      x + width,
      y + height - r + k,
      x + width - r + k,
      y + height,
      x + width - r,
      y + height,
    ),
    lineTo(x + r, y + height),
    appendBezierCurve(x + r - k, y + height, x, y + height - r + k, x, y + height - r),
    lineTo(x, y + r),
    appendBezierCurve(x, y + r - k, x + r - k, y, x + r, y),
    closePath(),
    fill(),
    popGraphicsState(),
  );
}

function drawPage(
  page: PDFPage,
  context: PDFContext,
  planned: PlannedPage,
  fonts: { regular: PDFFont; bold: PDFFont },
  imageRefs: Map<number, PDFRef>,
): void {
  const { width, height } = page.getSize();
  if (planned.background) {
    page.drawRectangle({ x: 0, y: 0, width, height, color: colour(planned.background) });
  }
  if (planned.image) {
    const { rect, pageNumber } = planned.image;
    const name = page.node.newXObject("Picture", imageRefs.get(pageNumber)!);
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(rect.width, 0, 0, rect.height, rect.x, rect.y),
      drawObject(name),
      popGraphicsState(),
    );
  }
  for (const panel of planned.panels) drawPanel(page, context, panel);
  for (const block of planned.texts) {
    for (const line of block.lines) {
      page.drawText(line.text, {
        x: line.x,
        y: line.y,
        size: block.size,
        font: fonts[block.font],
        color: colour(block.color),
      });
    }
  }
}

export async function buildBookPdf(input: BookPdfInput): Promise<BookPdf> {
  const profile = input.profile ?? DEFAULT_PRINT_PROFILE;
  const document = await PDFDocument.create({ updateMetadata: false });
  const bookText = [input.title, input.childName, input.dedication, ...input.pages.map((page) => page.text)]
    .join("\n");
  const files = input.fonts ?? await loadBookFontFiles();
  const fonts = await embedBookFonts(document, files, bookText);
  const metrics: BookFontMetrics = {
    regular: fontMetrics(fonts.regular, files.regular),
    bold: fontMetrics(fonts.bold, files.bold),
  };
  const plan = planBook(input, profile, metrics);

  const { context } = document;
  // Each picture gets its object number, and one for its length, now; the stream writes both objects.
  const imageRefs = new Map<number, PDFRef>();
  const pictures = new Map<number, PictureObject>();
  for (const page of input.pages) {
    const ref = context.nextRef();
    imageRefs.set(page.pageNumber, ref);
    pictures.set(ref.objectNumber, { ref, lengthRef: context.nextRef(), page });
  }
  const { media, trim } = plan.boxes;
  for (const planned of plan.pages) {
    const page = document.addPage([media.width, media.height]);
    page.setMediaBox(media.x, media.y, media.width, media.height);
    page.setBleedBox(media.x, media.y, media.width, media.height);
    page.setTrimBox(trim.x, trim.y, trim.width, trim.height);
    drawPage(page, context, planned, fonts, imageRefs);
  }
  document.setTitle(input.title);
  document.setCreator("Talecraft");
  document.setProducer(PRODUCER);
  // Subsets the fonts to the glyphs drawn and writes their objects; pictures are not pdf-lib's to embed.
  await document.flush();

  let resolveLength!: (length: number) => void;
  let rejectLength!: (reason: unknown) => void;
  const byteLength = new Promise<number>((resolve, reject) => {
    resolveLength = resolve;
    rejectLength = reject;
  });
  // A caller that never asks for the length must not get an unhandled rejection.
  byteLength.catch(() => {});
  const chunks = writePdf(context, pictures, profile);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          resolveLength(next.value);
          controller.close();
        } else controller.enqueue(next.value);
      } catch (error) {
        rejectLength(error);
        controller.error(error);
      }
    },
    async cancel(reason) {
      rejectLength(new Error("the book's PDF stream was cancelled", { cause: reason }));
      await chunks.return(0);
    },
  }, { highWaterMark: 0 });
  return { stream, pageCount: plan.pages.length, byteLength };
}

interface PictureObject {
  ref: PDFRef;
  lengthRef: PDFRef;
  page: BookPdfPage;
}

/** Anything pdf-lib can write: objects, and the header, cross-reference table and trailer. */
interface Serialisable {
  sizeInBytes(): number;
  copyBytesInto(buffer: Uint8Array, offset: number): number;
}

function bytesOf(object: Serialisable): Uint8Array {
  const bytes = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(bytes, 0);
  return bytes;
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/** A JPEG whose frame header is not within its first MiB is refused rather than buffered further. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** The picture's chunks as the caller's source gives them; a source left unfinished is cancelled. */
async function* pictureChunks(page: BookPdfPage): AsyncGenerator<Uint8Array> {
  let source: ReadableStream<Uint8Array> | Uint8Array;
  try {
    source = await page.image.read();
  } catch (error) {
    throw new BookImageError(`page ${page.pageNumber}'s picture could not be read`, { cause: error });
  }
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  const reader = source.getReader();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new BookImageError(`page ${page.pageNumber}'s picture could not be read`, { cause: error });
      }
      if (next.done) break;
      yield next.value;
    }
    finished = true;
  } finally {
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}

/** The picture's XObject dictionary, from its own frame header, once its size is the one declared. */
function pictureDictionary(
  context: PDFContext,
  picture: PictureObject,
  header: Uint8Array,
  profile: PrintProfile,
): PDFObject | null {
  const { page } = picture;
  let frame: JpegFrame | null;
  try {
    frame = readJpegFrame(header);
  } catch (error) {
    throw new BookImageError(`page ${page.pageNumber}'s picture is not a readable JPEG`, { cause: error });
  }
  if (!frame) {
    if (header.length <= MAX_HEADER_BYTES) return null;
    throw new BookImageError(`page ${page.pageNumber}'s picture has no JPEG frame header in its first MiB`);
  }
  const { width, height } = page.image;
  if (frame.width !== width || frame.height !== height) {
    // The layout checked the resolution of the declared size; a smaller file must not slip through.
    throw new BookImageError(
      `page ${page.pageNumber}'s picture is ${frame.width} × ${frame.height} px, not the ${width} × ${height} ` +
        `px it was declared as (${profile.id} needs ${profile.minImagePpi} ppi)`,
    );
  }
  const colourSpace = frame.components === 3 ? "DeviceRGB" : frame.components === 1 ? "DeviceGray" : null;
  if (!colourSpace || frame.precision !== 8) {
    throw new BookImageError(
      `page ${page.pageNumber}'s picture has ${frame.components} colour components of ${frame.precision} ` +
        `bits; the book prints 8-bit sRGB (or greyscale) JPEGs only`,
    );
  }
  return context.obj({
    Type: "XObject",
    Subtype: "Image",
    Width: width,
    Height: height,
    BitsPerComponent: 8,
    ColorSpace: colourSpace,
    Filter: "DCTDecode",
    Length: picture.lengthRef,
  });
}

/**
 * The file, in order: header, every object (pdf-lib's and the pictures, by object number, each picture
 * followed by its length), the cross-reference table of every object's byte offset, the trailer. Returns the
 * total length.
 */
async function* writePdf(
  context: PDFContext,
  pictures: Map<number, PictureObject>,
  profile: PrintProfile,
): AsyncGenerator<Uint8Array, number, undefined> {
  const offsets = new Map<number, number>();
  let offset = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const push = (bytes: Uint8Array) => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    offset += bytes.length;
  };
  const takePending = (): Uint8Array => {
    const chunk = pending.length === 1 ? pending[0] : concatenate(pending);
    pending = [];
    pendingBytes = 0;
    return chunk;
  };

  push(bytesOf(PDFHeader.forVersion(1, 7)));
  push(encoder.encode("\n\n"));
  const objects: [PDFRef, PDFObject | null][] = [
    ...context.enumerateIndirectObjects(),
    ...[...pictures.values()].map(({ ref }): [PDFRef, null] => [ref, null]),
  ];
  objects.sort(([a], [b]) => a.objectNumber - b.objectNumber);
  for (const [ref, object] of objects) {
    offsets.set(ref.objectNumber, offset);
    push(encoder.encode(`${ref.objectNumber} ${ref.generationNumber} obj\n`));
    if (object) {
      push(bytesOf(object));
      push(encoder.encode("\nendobj\n\n"));
    } else {
      const picture = pictures.get(ref.objectNumber)!;
      let header: Uint8Array[] | null = [];
      let length = 0;
      for await (const chunk of pictureChunks(picture.page)) {
        let data = chunk;
        if (header) {
          header.push(chunk);
          data = header.length === 1 ? chunk : concatenate(header);
          const dictionary = pictureDictionary(context, picture, data, profile);
          if (!dictionary) continue;
          header = null;
          push(bytesOf(dictionary));
          push(encoder.encode("\nstream\n"));
          yield takePending();
        }
        // Passed on as it came: a picture is never copied.
        offset += data.length;
        length += data.length;
        yield data;
      }
      if (header) {
        throw new BookImageError(
          `page ${picture.page.pageNumber}'s picture ends before its JPEG frame header`,
        );
      }
      push(encoder.encode("\nendstream\nendobj\n\n"));
      offsets.set(picture.lengthRef.objectNumber, offset);
      push(encoder.encode(`${picture.lengthRef.objectNumber} 0 obj\n${length}\nendobj\n\n`));
    }
    if (pendingBytes >= CHUNK_BYTES) yield takePending();
  }
  const xref = PDFCrossRefSection.create();
  for (const objectNumber of [...offsets.keys()].sort((a, b) => a - b)) {
    xref.addEntry(PDFRef.of(objectNumber), offsets.get(objectNumber)!);
  }
  const xrefOffset = offset;
  push(bytesOf(xref));
  push(encoder.encode("\n"));
  const { Root, Info } = context.trailerInfo;
  push(bytesOf(PDFTrailerDict.of(context.obj({ Size: context.largestObjectNumber + 1, Root, Info }))));
  push(encoder.encode("\n\n"));
  push(bytesOf(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
  yield takePending();
  return offset;
}
