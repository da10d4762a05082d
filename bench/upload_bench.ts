/**
 * `npm run bench:upload`: the CPU time and peak memory of one upload's image work (normalisation, then face
 * detection) against what Supabase gives one request: 2 s of CPU and 256 MB.
 *
 * Each input runs in a fresh process with an edge function's flags (no FFI, no subprocesses, a 256 MB heap), so
 * the cold figure includes loading the detector, as the first upload to a new function instance does, and the
 * peak memory is that of one instance that has served this kind of photo.
 *
 * Inputs: the one-face fixture at 1024 px and 2048 px (kept as is), at 4000 px (a 16 MP phone photo) and at
 * 6300 px (39.7 MP, the largest accepted), the last two downscaled to 2048 px before detection.
 */
import { fileURLToPath } from "node:url";
import { bundleFaceModel } from "../scripts/bundle_face_model.ts";
import { largePhoto } from "../tests/support/photo_fixtures.ts";
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
const SIDES = [1024, 2048, 4000, 6300];

const probe = fileURLToPath(new URL("./upload_probe.ts", import.meta.url));
// The edge flags, plus a callable gc() so the memory a warm instance keeps can be read after a collection.
const PROBE_FLAGS = EDGE_RUN_FLAGS.map((flag) =>
  flag.startsWith("--v8-flags=") ? `${flag},--expose-gc` : flag
);

await bundleFaceModel();
console.log(
  `upload image work per photo (normalise + detect), fresh edge-like process per input, ` +
    `warm = median of ${WARM_REPETITIONS}\n`,
);
const figures: Figures = {};
const rows: string[][] = [];
for (const side of SIDES) {
  const { jpeg } = await largePhoto(side);
  const path = await Deno.makeTempFile({ suffix: ".jpg" });
  try {
    await Deno.writeFile(path, jpeg);
    const { result, peakRssMb } = await measureColdProcess([
      ...PROBE_FLAGS,
      probe,
      path,
      String(WARM_REPETITIONS),
    ]);
    if (result.faces !== 1) {
      throw new Error(`the ${side} px photo should show one face, found ${result.faces}`);
    }
    const warmTotal = result.warmNormaliseCpuMs + result.warmDetectCpuMs;
    rows.push([
      `${side} px`,
      `${(jpeg.length / 1024).toFixed(0)} KB`,
      `${result.coldCpuMs.toFixed(0)} ms (${result.modelLoadCpuMs.toFixed(0)} ms)`,
      `${result.warmNormaliseCpuMs.toFixed(0)} ms`,
      `${result.warmDetectCpuMs.toFixed(0)} ms`,
      `${warmTotal.toFixed(0)} ms`,
      `${peakRssMb.toFixed(0)} MB`,
      `${(CPU_BUDGET_MS / result.coldCpuMs).toFixed(1)}× (${
        (CPU_BUDGET_MS - result.coldCpuMs).toFixed(0)
      } ms)`,
      `${(MEMORY_BUDGET_MB - peakRssMb).toFixed(0)} MB (${
        (100 * peakRssMb / MEMORY_BUDGET_MB).toFixed(0)
      }% used)`,
    ]);
    figures[`upload_${side}_cold_cpu_ms`] = {
      label: `upload ${side} px photo: cold CPU, model load included (2 s budget)`,
      value: result.coldCpuMs,
      unit: "ms",
    };
    figures[`upload_${side}_warm_cpu_ms`] = {
      label: `upload ${side} px photo: warm CPU (normalise + detect)`,
      value: warmTotal,
      unit: "ms",
    };
    figures[`upload_${side}_rss_mb`] = {
      label: `upload ${side} px photo: peak RSS (256 MB budget)`,
      value: peakRssMb,
      unit: "MB",
    };
  } finally {
    await Deno.remove(path);
  }
}
console.log(formatTable(
  [
    "input",
    "file",
    "cold CPU (model load)",
    "warm normalise",
    "warm detect",
    "warm total",
    "peak RSS",
    "CPU headroom (cold)",
    "memory headroom",
  ],
  rows,
));
// What a warm instance keeps after a large photo and then a small one (the decoders' and the detector's
// WebAssembly memory only grows; the decoders are restarted after a large image so theirs can be collected).
const large = await Deno.makeTempFile({ suffix: ".jpg" });
const small = await Deno.makeTempFile({ suffix: ".jpg" });
try {
  await Deno.writeFile(large, (await largePhoto(4000)).jpeg);
  await Deno.writeFile(small, (await largePhoto(1024)).jpeg);
  const { result } = await measureColdProcess([...PROBE_FLAGS, probe, large, "1", small]);
  figures.upload_kept_rss_mb = {
    label: "upload: resident memory a warm instance keeps after a 4000 px photo",
    value: result.keptRssMb,
    unit: "MB",
  };
  console.log(
    `\nkept by a warm instance after a 4000 px photo and then a 1024 px one: ${
      result.keptRssMb.toFixed(0)
    } MB resident after GC`,
  );
} finally {
  await Deno.remove(large);
  await Deno.remove(small);
}
console.log(
  "\npeak RSS is the whole Deno process (runtime, codecs, the detector's WebAssembly memory); Supabase's edge " +
    "runtime isolates share one process, so this overstates one request's own share.",
);
await recordFigures(figures);
