/**
 * Benchmark: watermarking one 1024 px preview JPEG (decode + composite + encode), against Pillow on this machine.
 *
 *   deno run --allow-all bench/watermark_bench.ts [runs=30]
 *
 * Prints per-operation median and p95 after warm-up, the stage split, the ratio to Pillow (measured here when
 * a python3 with PIL exists, else the 16 ms baseline from research/baselines.md, said so in the output), the
 * watermark of illustrator pixels, and one cold request in a fresh process run like an edge function.
 */
import process from "node:process";
import {
  EDGE_RUN_FLAGS,
  type Figures,
  measureColdProcess,
  peakRssMb,
  percentile,
  pythonWith,
  recordFigures,
} from "./bench_support.ts";
import { decodeJpeg } from "../supabase/functions/_shared/images/image_decoding.ts";
import { Framebuffer } from "../supabase/functions/_shared/images/imagescript_framebuffer.ts";
import { encodeJpeg } from "../supabase/functions/_shared/images/jpeg_encoder.ts";
import { renderStorybookScene } from "../supabase/functions/_shared/images/storybook_illustrator.ts";
import { noisyPhoto } from "../supabase/functions/_shared/images/test_images.ts";
import {
  watermarkOverlay,
  watermarkPreview,
  watermarkPreviewPixels,
} from "../supabase/functions/_shared/images/watermark.ts";

const PILLOW_BASELINE_MS = 16;
const runs = Number(Deno.args.find((arg) => /^\d+$/.test(arg)) ?? 30);

function summary(samples: number[]): { median: number; p95: number } {
  return { median: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

interface Samples {
  wall: number[];
  cpu: number[];
}

/** Wall and process-CPU milliseconds per call, after `warmUp` untimed calls. */
async function time(operation: () => unknown, count: number, warmUp = 5): Promise<Samples> {
  for (let i = 0; i < warmUp; i++) await operation();
  const samples: Samples = { wall: [], cpu: [] };
  for (let i = 0; i < count; i++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await operation();
    samples.wall.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    samples.cpu.push((cpu.user + cpu.system) / 1000);
  }
  return samples;
}

function format({ median, p95 }: { median: number; p95: number }): string {
  return `median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`;
}

/**
 * One request in a fresh process with the edge function flags: prints {opMs, cpuMs}, then waits for a line on
 * stdin so the parent can read the process's peak RSS (Deno allows /proc/self only with --allow-all).
 */
async function coldOnce(inputPath: string): Promise<void> {
  const bytes = Deno.readFileSync(inputPath);
  const started = performance.now();
  await watermarkPreview(bytes);
  const opMs = performance.now() - started;
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ opMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
  await Deno.stdin.read(new Uint8Array(1));
}

const PILLOW_SCRIPT = `
import io, json, sys, time
from PIL import Image
data = open(sys.argv[1], "rb").read()
overlay = Image.open(sys.argv[2]); overlay.load()
runs = int(sys.argv[3])
def op():
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.paste(overlay, (0, 0), overlay)
    out = io.BytesIO(); image.save(out, "JPEG", quality=85); return out.getvalue()
for _ in range(5): op()
wall, cpu = [], []
for _ in range(runs):
    started, started_cpu = time.perf_counter(), time.process_time()
    op()
    wall.append((time.perf_counter() - started) * 1000); cpu.append((time.process_time() - started_cpu) * 1000)
print(json.dumps({"wall": wall, "cpu": cpu}))
`;

async function pillowSamples(
  python: string,
  jpegPath: string,
  overlayPath: string,
  count: number,
): Promise<Samples> {
  const output = await new Deno.Command(python, {
    args: ["-c", PILLOW_SCRIPT, jpegPath, overlayPath, String(count)],
    stdout: "piped",
  }).output();
  if (!output.success) throw new Error("the Pillow run failed");
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function merge(into: Samples, more: Samples): void {
  into.wall.push(...more.wall);
  into.cpu.push(...more.cpu);
}

async function main(): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "watermark_bench_" });
  const input = encodeJpeg(noisyPhoto(1024, 1024, 7), { quality: 90 });
  const inputPath = `${directory}/input_1024.jpg`;
  Deno.writeFileSync(inputPath, input);
  const overlayPath = `${directory}/overlay_1024.png`;
  Deno.writeFileSync(overlayPath, watermarkOverlay(1024, 1024).encode("png"));
  console.log(`input: 1024×1024 photo-like noisy JPEG (q90, 4:2:0, ${input.length} bytes); output q85`);

  // Rounds alternate between us and Pillow, because this shared VM's speed drifts over seconds.
  const python = await pythonWith("PIL");
  const rounds = 3;
  const ours: Samples = { wall: [], cpu: [] };
  const pillow: Samples = { wall: [], cpu: [] };
  for (let round = 0; round < rounds; round++) {
    merge(ours, await time(() => watermarkPreview(input), Math.ceil(runs / rounds)));
    if (python) merge(pillow, await pillowSamples(python, inputPath, overlayPath, Math.ceil(runs / rounds)));
  }
  console.log(`watermarkPreview (decode + composite + encode), ${ours.wall.length} runs after warm-up:`);
  console.log(`  wall ${format(summary(ours.wall))}; CPU ${format(summary(ours.cpu))}`);

  const decoded = await decodeJpeg(input);
  const overlay = watermarkOverlay(1024, 1024);
  const decode = summary((await time(() => decodeJpeg(input), runs)).wall);
  const composite = summary(
    (await time(() => new Framebuffer(1024, 1024, decoded.data.slice()).overlay(overlay), runs)).wall,
  );
  const copy = summary((await time(() => decoded.data.slice(), runs)).wall);
  const encode = summary((await time(() => encodeJpeg(decoded, { quality: 85 }), runs)).wall);
  console.log(
    `  stages (wall medians): decode ${decode.median.toFixed(1)} ms, ` +
      `composite ${(composite.median - copy.median).toFixed(1)} ms, encode ${encode.median.toFixed(1)} ms`,
  );

  const pillowMs = python ? summary(pillow.wall).median : PILLOW_BASELINE_MS;
  const figures: Figures = {
    watermark_ms: {
      label: "watermark 1024 px JPEG, wall median",
      value: summary(ours.wall).median,
      unit: "ms",
    },
    watermark_cpu_ms: {
      label: "watermark 1024 px JPEG, CPU median",
      value: summary(ours.cpu).median,
      unit: "ms",
    },
    pillow_ms: {
      label: python ? "Pillow, same work, wall median" : "Pillow baseline (not installed here)",
      value: pillowMs,
      unit: "ms",
    },
    watermark_over_pillow: {
      label: "watermark / Pillow (wall medians)",
      value: summary(ours.wall).median / pillowMs,
      unit: "×",
    },
    watermark_decode_ms: { label: "watermark stages: decode", value: decode.median, unit: "ms" },
    watermark_encode_ms: { label: "watermark stages: encode", value: encode.median, unit: "ms" },
  };
  if (python) {
    console.log(`Pillow ${python}, same input and overlay, interleaved rounds:`);
    console.log(`  wall ${format(summary(pillow.wall))}; CPU ${format(summary(pillow.cpu))}`);
    console.log(
      `ratio to Pillow: wall ${(summary(ours.wall).median / summary(pillow.wall).median).toFixed(2)}×, ` +
        `CPU ${(summary(ours.cpu).median / summary(pillow.cpu).median).toFixed(2)}× (target ≤ 4.5×)`,
    );
  } else {
    console.log(
      `Pillow is not installed here: using the ${PILLOW_BASELINE_MS} ms baseline from baselines.md`,
    );
    console.log(
      `ratio to Pillow: ${(summary(ours.wall).median / PILLOW_BASELINE_MS).toFixed(2)}× (target ≤ 4.5×)`,
    );
  }

  const print = renderStorybookScene({
    storyId: "bench",
    pageNumber: 1,
    themeId: "enchanted_forest",
    style: "cartoon_3d",
    seed: 1,
    size: 3075,
  }, null);
  const fromPixels = summary((await time(() => watermarkPreviewPixels(print), Math.min(runs, 15), 2)).wall);
  console.log(`watermarkPreviewPixels, 3075 px illustrator pixels → 1024 px preview: ${format(fromPixels)}`);
  figures.watermark_print_pixels_ms = {
    label: "watermark from 3075 px illustrator pixels, median",
    value: fromPixels.median,
    unit: "ms",
  };
  console.log(
    `peak RSS of this benchmark process (many operations, GC lag included): ${peakRssMb().toFixed(0)} MB`,
  );

  const cold = await measureColdProcess([
    ...EDGE_RUN_FLAGS,
    new URL(import.meta.url).pathname,
    "--cold-once",
    inputPath,
  ]);
  console.log(
    `one cold request in a fresh process (--deny-ffi, 256 MB heap): op ${cold.result.opMs.toFixed(0)} ms, ` +
      `process CPU ${cold.result.cpuMs.toFixed(0)} ms, peak RSS ${cold.peakRssMb.toFixed(0)} MB`,
  );
  figures.watermark_cold_op_ms = {
    label: "watermark, one cold request: op",
    value: cold.result.opMs,
    unit: "ms",
  };
  figures.watermark_cold_rss_mb = {
    label: "watermark, one cold request: peak RSS",
    value: cold.peakRssMb,
    unit: "MB",
  };
  await recordFigures(figures);
  await Deno.remove(directory, { recursive: true });
}

if (import.meta.main) {
  if (Deno.args[0] === "--cold-once") await coldOnce(Deno.args[1]);
  else await main();
}
