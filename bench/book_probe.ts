/**
 * One book's PDF assembly in a fresh process, as the book-assembly function would do it. Prints a JSON line of
 * wall and CPU time, then waits for a newline on stdin so the parent can read this process's peak memory.
 *
 *   deno run … bench/book_probe.ts <stream-sources | byte-sources | pdf-lib-save> <book.json>
 *
 * book.json (written by book_bench.ts): { title, childName, dedication, pages: [{ pageNumber, text, path }] },
 * each path a 3075 px JPEG.
 *
 * stream-sources: buildBookPdf given each picture as a file stream (as a fetch Response's body would be), its
 *   output read to the end and dropped chunk by chunk, as an upload sends it;
 * byte-sources: the same, given each picture as a whole Uint8Array;
 * pdf-lib-save: the same pictures through pdf-lib as documented (embedJpg, drawImage, save()), for reference.
 */
import process from "node:process";
import { PDFDocument } from "pdf-lib";
import { loadBookFontFiles } from "../supabase/functions/_shared/book/book_fonts.ts";
import { buildBookPdf, embedBookFonts } from "../supabase/functions/_shared/book/book_pdf.ts";

interface BenchBook {
  title: string;
  childName: string;
  dedication: string | null;
  pages: { pageNumber: number; text: string; path: string }[];
}

const PRINT_SIDE = 3075;

function cpuMs(since?: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
}
const MEDIA_SIDE = 738;

const [mode, bookPath] = Deno.args;
const book: BenchBook = JSON.parse(await Deno.readTextFile(bookPath));
const fontStart = process.cpuUsage();
const fonts = await loadBookFontFiles();
const fontLoadCpuMs = cpuMs(fontStart);

async function streamed(asStreams: boolean): Promise<{ bytes: number; pageCount: number }> {
  const pdf = await buildBookPdf({
    ...book,
    fonts,
    pages: book.pages.map((page) => ({
      pageNumber: page.pageNumber,
      text: page.text,
      image: {
        width: PRINT_SIDE,
        height: PRINT_SIDE,
        read: async () => asStreams ? (await Deno.open(page.path)).readable : await Deno.readFile(page.path),
      },
    })),
  });
  let bytes = 0;
  for await (const chunk of pdf.stream) bytes += chunk.length;
  if (bytes !== await pdf.byteLength) throw new Error("the stream and its byteLength disagree");
  return { bytes, pageCount: pdf.pageCount };
}

async function pdfLibSave(): Promise<{ bytes: number; pageCount: number }> {
  const document = await PDFDocument.create();
  const { regular } = await embedBookFonts(document, fonts, book.title);
  for (const page of book.pages) {
    const image = await document.embedJpg(await Deno.readFile(page.path));
    const pdfPage = document.addPage([MEDIA_SIDE, MEDIA_SIDE]);
    pdfPage.drawImage(image, { x: 0, y: 0, width: MEDIA_SIDE, height: MEDIA_SIDE });
    pdfPage.drawText(page.text.slice(0, 60), { x: 45, y: 60, size: 18, font: regular });
  }
  const bytes = await document.save();
  return { bytes: bytes.length, pageCount: document.getPageCount() };
}

const start = process.cpuUsage();
const startWall = performance.now();
const result = mode === "pdf-lib-save" ? await pdfLibSave() : await streamed(mode === "stream-sources");
const wallMs = performance.now() - startWall;
// The whole process so far: start-up, loading pdf-lib and fontkit, the fonts and the build, as a cold instance.
console.log(JSON.stringify({ wallMs, cpuMs: cpuMs(start), coldCpuMs: cpuMs(), fontLoadCpuMs, ...result }));
// Stay alive until the parent has read the peak memory.
await Deno.stdin.read(new Uint8Array(1));
