/**
 * `npm run bench:fal-webhook`: what storing one fal result costs the fal-webhook function, against what Supabase
 * gives one request (2 s of CPU, 256 MB). A preview page (1024 px) is decoded once to be watermarked; a print
 * page (4096 px, what nano-banana-2 at 4K and a 4x upscale return) is stored as it is, never decoded.
 *
 * Each image runs in a fresh process with an edge function's flags, so the cold figure includes loading the
 * JPEG codec, as the first delivery to a new function instance does.
 */
import { fileURLToPath } from "node:url";
import { encodeJpeg } from "../supabase/functions/_shared/images/jpeg_encoder.ts";
import { createRgbaImage } from "../supabase/functions/_shared/images/raster.ts";
import {
  CPU_BUDGET_MS,
  EDGE_RUN_FLAGS,
  type Figures,
  formatTable,
  measureColdProcess,
  MEMORY_BUDGET_MB,
  recordFigures,
} from "./bench_support.ts";

const WARM_REPETITIONS = 7;

const probe = fileURLToPath(new URL("./fal_webhook_probe.ts", import.meta.url));

/** A picture-like JPEG (smooth gradients with fine noise), so its size and decode cost resemble a real page. */
function pageJpeg(side: number): Uint8Array {
  const image = createRgbaImage(side, side);
  let noise = 12345;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      noise = (noise * 1103515245 + 12345) & 0x7fffffff;
      const offset = (y * side + x) * 4;
      const grain = (noise >> 16) % 24;
      image.data[offset] = (x * 255 / side + grain) & 255;
      image.data[offset + 1] = (y * 255 / side + grain) & 255;
      image.data[offset + 2] = (((x + y) * 128) / side + grain) & 255;
      image.data[offset + 3] = 255;
    }
  }
  return encodeJpeg(image, { quality: 90 });
}

console.log(
  `one fal result stored by the finisher, fresh edge-like process per image, warm = median of ${WARM_REPETITIONS}\n`,
);
const figures: Figures = {};
const rows: string[][] = [];
for (
  const [label, side, kind] of [["preview, 1024 px", 1024, "preview"], [
    "print, 4096 px",
    4096,
    "print",
  ]] as const
) {
  const jpeg = pageJpeg(side);
  const path = await Deno.makeTempFile({ suffix: ".jpg" });
  try {
    await Deno.writeFile(path, jpeg);
    const { result, peakRssMb } = await measureColdProcess([
      ...EDGE_RUN_FLAGS,
      probe,
      path,
      kind,
      String(WARM_REPETITIONS),
    ]);
    rows.push([
      label,
      `${(jpeg.length / 1024 / 1024).toFixed(1)} MB`,
      `${result.coldCpuMs.toFixed(0)} ms`,
      `${result.warmCpuMs.toFixed(0)} ms`,
      `${peakRssMb.toFixed(0)} MB`,
      `${(CPU_BUDGET_MS / result.coldCpuMs).toFixed(1)}x`,
      `${(MEMORY_BUDGET_MB / peakRssMb).toFixed(1)}x`,
    ]);
    figures[`fal_webhook_${kind}_cold_cpu_ms`] = {
      label: `fal-webhook stores a ${label} page: cold CPU (2 s budget)`,
      value: result.coldCpuMs,
      unit: "ms",
    };
    figures[`fal_webhook_${kind}_warm_cpu_ms`] = {
      label: `fal-webhook stores a ${label} page: warm CPU`,
      value: result.warmCpuMs,
      unit: "ms",
    };
    figures[`fal_webhook_${kind}_rss_mb`] = {
      label: `fal-webhook stores a ${label} page: peak RSS (256 MB budget)`,
      value: peakRssMb,
      unit: "MB",
    };
  } finally {
    await Deno.remove(path);
  }
}
console.log(formatTable(
  ["page", "file", "cold CPU", "warm CPU", "peak RSS", "CPU headroom (cold)", "memory headroom"],
  rows,
));
await recordFigures(figures);
