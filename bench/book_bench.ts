/**
 * Benchmark: the print PDF's assembly for 12 and 24 pictures of 3075 px (300 ppi on a 10.25 in sheet), against
 * what Supabase gives one request (2 s of CPU, 256 MB) and against ReportLab building the same book.
 *
 *   deno run --allow-all bench/book_bench.ts
 *
 * Pictures: the in-house illustrator's scenes at print size with a fine grain (±8), encoded at quality 88, so that
 * each file weighs what an upscaled illustration does (about 2.4 MB) rather than a flat drawing's 0.3 MB.
 * A book of N pictures is the cover and N - 1 story pages, plus the title, dedication and ending pages.
 *
 * Each build runs in a fresh process with an edge function's flags (no FFI, no subprocesses, a 256 MB heap);
 * peak RSS is that whole process. Rows:
 * - ours, stream sources: buildBookPdf given each picture as a stream (a file's here, a fetch Response's body
 *   in the function), its output read to the end and each chunk dropped, as an upload sends it;
 * - ours, byte sources: the same given each picture as a whole Uint8Array;
 * - pdf-lib save(): the same pictures through pdf-lib as documented (embedJpg, drawImage, save()), which
 *   holds every picture and then the whole file;
 * - ReportLab: Debian's python3-reportlab (useA85 = 0, so JPEGs are copied as they are) drawing the same page
 *   plan (same pictures, panels, lines and Andika) to a file, timed inside Python; skipped when missing.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PDFDocument } from "pdf-lib";
import { bundleBookFonts } from "../scripts/bundle_book_fonts.ts";
import { loadBookFontFiles } from "../supabase/functions/_shared/book/book_fonts.ts";
import { type BookInput, planBook } from "../supabase/functions/_shared/book/book_layout.ts";
import { embedBookFonts, fontMetrics } from "../supabase/functions/_shared/book/book_pdf.ts";
import { DEFAULT_PRINT_PROFILE } from "../supabase/functions/_shared/book/print_profiles.ts";
import { encodeJpeg } from "../supabase/functions/_shared/images/jpeg_encoder.ts";
import { renderStorybookScene } from "../supabase/functions/_shared/images/storybook_illustrator.ts";
import { KNOWN_THEME_IDS } from "../supabase/functions/_shared/images/storybook_themes.ts";
import { themeStoryContent } from "../supabase/functions/_shared/story_content/theme_catalogue.ts";
import {
  CPU_BUDGET_MS,
  EDGE_RUN_FLAGS,
  type Figures,
  formatTable,
  measureColdProcess,
  MEMORY_BUDGET_MB,
  pythonWith,
  recordFigures,
} from "./bench_support.ts";

const MEMORY_TARGET_MB = 180;
const PRINT_SIDE = 3075;
const PICTURE_COUNTS = [12, 24];
const CHILD_NAME = "Siobhán O'Connor-Fitzgerald";

const probe = fileURLToPath(new URL("./book_probe.ts", import.meta.url));
const PROBE_MODES = [
  ["stream-sources", "ours, stream sources"],
  ["byte-sources", "ours, byte sources"],
  ["pdf-lib-save", "pdf-lib save()"],
];

/** A print-size scene with a luminance grain of ±8, so that it compresses like a detailed picture. */
function picture(index: number): Uint8Array {
  const pixels = renderStorybookScene({
    storyId: "book-bench",
    pageNumber: index % 11,
    themeId: KNOWN_THEME_IDS[index % KNOWN_THEME_IDS.length],
    style: "cartoon_3d",
    seed: index,
    size: PRINT_SIDE,
  }, null);
  let state = index + 1;
  const data = pixels.data;
  for (let p = 0; p < data.length; p += 4) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const grain = ((state >>> 24) - 128) / 16;
    data[p] += grain;
    data[p + 1] += grain;
    data[p + 2] += grain;
  }
  return encodeJpeg(pixels, { quality: 88 });
}

function bookOf(pictureCount: number, paths: string[]): BookInput & { pages: { path: string }[] } {
  const story = themeStoryContent("enchanted_forest", {
    name: CHILD_NAME,
    age: 6,
    pronouns: "she",
    dedication: "For Zoë, Åsa-Marie and Nguyễn, with love from Grandma",
  })!;
  return {
    title: story.title,
    childName: CHILD_NAME,
    dedication: story.dedication,
    pages: paths.slice(0, pictureCount).map((path, pageNumber) => ({
      pageNumber,
      // Story texts repeat past page 10: only the product's books stop there.
      text: pageNumber === 0 ? story.title : story.pages[1 + (pageNumber - 1) % 10].body_text,
      image: { width: PRINT_SIDE, height: PRINT_SIDE },
      path,
    })),
  };
}

const REPORTLAB_SCRIPT = `
import json, sys, time
from reportlab import rl_config
rl_config.useA85 = 0
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

plan = json.load(open(sys.argv[1]))
wall, cpu = time.perf_counter(), time.process_time()
pdfmetrics.registerFont(TTFont("regular", plan["fonts"]["regular"]))
pdfmetrics.registerFont(TTFont("bold", plan["fonts"]["bold"]))
media, trim = plan["media"], plan["trim"]
pdf = canvas.Canvas(sys.argv[2], pagesize=(media["width"], media["height"]))
for page in plan["pages"]:
    pdf.setBleedBox((0, 0, media["width"], media["height"]))
    pdf.setTrimBox((trim["x"], trim["y"], trim["x"] + trim["width"], trim["y"] + trim["height"]))
    if page["background"]:
        pdf.setFillColorRGB(*page["background"])
        pdf.rect(0, 0, media["width"], media["height"], stroke=0, fill=1)
    if page["image"]:
        r = page["image"]["rect"]
        pdf.drawImage(page["image"]["path"], r["x"], r["y"], r["width"], r["height"])
    for panel in page["panels"]:
        r = panel["rect"]
        pdf.setFillColorRGB(*panel["color"])
        pdf.setFillAlpha(panel["opacity"])
        pdf.roundRect(r["x"], r["y"], r["width"], r["height"], panel["radius"], stroke=0, fill=1)
        pdf.setFillAlpha(1)
    for block in page["texts"]:
        pdf.setFont(block["font"], block["size"])
        pdf.setFillColorRGB(*block["color"])
        for line in block["lines"]:
            pdf.drawString(line["x"], line["y"], line["text"])
    pdf.showPage()
pdf.save()
print(json.dumps({
    "wallMs": (time.perf_counter() - wall) * 1000,
    "cpuMs": (time.process_time() - cpu) * 1000,
}), flush=True)
# Stay alive until the parent has read the peak memory.
sys.stdin.readline()
`;

/** The page plan as the ReportLab script reads it: the same plan buildBookPdf draws. */
async function reportLabPlan(book: ReturnType<typeof bookOf>): Promise<unknown> {
  const files = await loadBookFontFiles();
  const document = await PDFDocument.create();
  const fonts = await embedBookFonts(document, files, "");
  const plan = planBook(book, DEFAULT_PRINT_PROFILE, {
    regular: fontMetrics(fonts.regular, files.regular),
    bold: fontMetrics(fonts.bold, files.bold),
  });
  return {
    fonts: {
      regular: fileURLToPath(import.meta.resolve("@expo-google-fonts/andika/Andika_400Regular.ttf")),
      bold: fileURLToPath(import.meta.resolve("@expo-google-fonts/andika/Andika_700Bold.ttf")),
    },
    media: plan.boxes.media,
    trim: plan.boxes.trim,
    pages: plan.pages.map((page) => ({
      ...page,
      image: page.image && { ...page.image, path: book.pages[page.image.pageNumber].path },
    })),
  };
}

const mb = (value: number) => `${value.toFixed(0)} MB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

await bundleBookFonts();
const workDir = await Deno.makeTempDir({ prefix: "book_bench_" });
try {
  const largest = Math.max(...PICTURE_COUNTS);
  console.log(`rendering ${largest} pictures of ${PRINT_SIDE} px …`);
  const paths: string[] = [];
  let totalBytes = 0;
  for (let index = 0; index < largest; index++) {
    const jpeg = picture(index);
    totalBytes += jpeg.length;
    const path = join(workDir, `page_${index}.jpg`);
    await Deno.writeFile(path, jpeg);
    paths.push(path);
  }
  console.log(`mean picture: ${(totalBytes / largest / 1e6).toFixed(2)} MB\n`);
  let fontLoadCpuMs = 0;
  const figures: Figures = {};
  const python = await pythonWith("reportlab");
  if (!python) {
    console.log("python3-reportlab is not installed (apt-get install python3-reportlab): no ratio\n");
  }
  const scriptPath = join(workDir, "reportlab_book.py");
  await Deno.writeTextFile(scriptPath, REPORTLAB_SCRIPT);

  const headers = [
    "pictures (PDF pages)",
    "build",
    "wall",
    "CPU",
    "cold CPU",
    "peak RSS",
    "file",
    "CPU headroom (cold)",
    `memory vs ${MEMORY_TARGET_MB} MB target / ${MEMORY_BUDGET_MB} MB budget`,
  ];
  for (const count of PICTURE_COUNTS) {
    const book = bookOf(count, paths);
    const bookPath = join(workDir, `book_${count}.json`);
    await Deno.writeTextFile(bookPath, JSON.stringify(book));
    const rows: {
      name: string;
      wallMs: number;
      cpuMs: number;
      coldCpuMs?: number;
      peakRssMb: number;
      bytes: number;
      pages: number;
    }[] = [];
    for (const [mode, name] of PROBE_MODES) {
      const { result, peakRssMb } = await measureColdProcess([...EDGE_RUN_FLAGS, probe, mode, bookPath]);
      fontLoadCpuMs = result.fontLoadCpuMs;
      rows.push({
        name,
        wallMs: result.wallMs,
        cpuMs: result.cpuMs,
        coldCpuMs: result.coldCpuMs,
        peakRssMb,
        bytes: result.bytes,
        pages: result.pageCount,
      });
    }
    if (python) {
      const planPath = join(workDir, `plan_${count}.json`);
      const outputPath = join(workDir, `reportlab_${count}.pdf`);
      await Deno.writeTextFile(planPath, JSON.stringify(await reportLabPlan(book)));
      // Measured from outside like a probe: Python's own getrusage would report this benchmark's peak, which
      // Linux carries across the fork and exec.
      const { result, peakRssMb } = await measureColdProcess([scriptPath, planPath, outputPath], python);
      rows.push({
        name: "ReportLab",
        wallMs: result.wallMs,
        cpuMs: result.cpuMs,
        peakRssMb,
        bytes: (await Deno.stat(outputPath)).size,
        pages: rows[0].pages,
      });
    }
    console.log(formatTable(
      headers,
      rows.map((row) => [
        `${count} (${row.pages})`,
        row.name,
        ms(row.wallMs),
        ms(row.cpuMs),
        row.coldCpuMs === undefined ? "–" : ms(row.coldCpuMs),
        mb(row.peakRssMb),
        `${(row.bytes / 1e6).toFixed(1)} MB`,
        `${(CPU_BUDGET_MS / (row.coldCpuMs ?? row.cpuMs)).toFixed(1)}×`,
        `${mb(MEMORY_TARGET_MB - row.peakRssMb)} / ${mb(MEMORY_BUDGET_MB - row.peakRssMb)} left`,
      ]),
    ));
    const ours = rows[0];
    const naive = rows.find((row) => row.name === "pdf-lib save()")!;
    const reportLab = rows.find((row) => row.name === "ReportLab");
    const described = `book of ${count} pictures (${ours.pages} PDF pages)`;
    figures[`book_${count}_cpu_ms`] = { label: `${described}: build CPU`, value: ours.cpuMs, unit: "ms" };
    figures[`book_${count}_wall_ms`] = { label: `${described}: build wall`, value: ours.wallMs, unit: "ms" };
    figures[`book_${count}_cold_cpu_ms`] = {
      label: `${described}: cold process CPU (start-up, pdf-lib, fonts, build)`,
      value: ours.coldCpuMs!,
      unit: "ms",
    };
    figures[`book_${count}_rss_mb`] = {
      label: `${described}: peak RSS, streamed`,
      value: ours.peakRssMb,
      unit: "MB",
    };
    figures[`book_${count}_naive_rss_mb`] = {
      label: `${described}: peak RSS, pdf-lib save()`,
      value: naive.peakRssMb,
      unit: "MB",
    };
    if (reportLab) {
      figures[`book_${count}_reportlab_cpu_ms`] = {
        label: `${described}: ReportLab CPU`,
        value: reportLab.cpuMs,
        unit: "ms",
      };
      figures[`book_${count}_reportlab_rss_mb`] = {
        label: `${described}: ReportLab peak RSS`,
        value: reportLab.peakRssMb,
        unit: "MB",
      };
      figures[`book_${count}_cpu_over_reportlab`] = {
        label: `${described}: CPU / ReportLab's`,
        value: ours.cpuMs / reportLab.cpuMs,
        unit: "×",
      };
      figures[`book_${count}_rss_over_reportlab`] = {
        label: `${described}: peak RSS / ReportLab's`,
        value: ours.peakRssMb / reportLab.peakRssMb,
        unit: "×",
      };
      console.log(
        `  ratio to ReportLab: wall ${(ours.wallMs / reportLab.wallMs).toFixed(1)}×, CPU ${
          (ours.cpuMs / reportLab.cpuMs).toFixed(1)
        }×, peak RSS ${(ours.peakRssMb / reportLab.peakRssMb).toFixed(1)}×`,
      );
    }
  }
  console.log(
    `\nloading and preparing the fonts, once per instance: ${ms(fontLoadCpuMs)} CPU (not in the rows)`,
  );
  figures.book_font_load_cpu_ms = {
    label: "book fonts, loaded once per instance: CPU",
    value: fontLoadCpuMs,
    unit: "ms",
  };
  await recordFigures(figures);
  console.log(
    "wall and CPU cover the build and reading the stream (fonts already loaded, as in a warm instance); cold " +
      "CPU is the whole process: start-up, loading pdf-lib and fontkit, the fonts and the build; peak " +
      "RSS is the whole process (runtime, pdf-lib, fontkit, the fonts) and, for ReportLab, the whole Python " +
      "process. The streamed build's consumer drops each chunk: an upload that buffers the body adds the file's " +
      "size.",
  );
} finally {
  await Deno.remove(workDir, { recursive: true });
}
