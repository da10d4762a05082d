/**
 * Benchmark: the in-house illustrator at preview (1024 px) and print (3075 px) size.
 *
 *   deno run --allow-all bench/illustrator_bench.ts [runs=20]
 *
 * Prints, per size, the median and p95 of a whole generate() call (photo fetched from a data: URL and decoded,
 * scene painted, JPEG encoded) in wall and CPU time, the render/encode split, and one cold print-size request
 * in a fresh process run like an edge function (process CPU and peak RSS against the 2 s / 256 MB budget).
 */
import process from "node:process";
import type { PageImageRequest } from "../supabase/functions/_shared/images/image_provider.ts";
import { encodeJpeg } from "../supabase/functions/_shared/images/jpeg_encoder.ts";
import {
  renderStorybookScene,
  StorybookIllustrator,
} from "../supabase/functions/_shared/images/storybook_illustrator.ts";
import { KNOWN_THEME_IDS } from "../supabase/functions/_shared/images/storybook_themes.ts";
import { dataUrl, noisyPhoto } from "../supabase/functions/_shared/images/test_images.ts";
import {
  EDGE_RUN_FLAGS,
  type Figures,
  measureColdProcess,
  percentile,
  recordFigures,
} from "./bench_support.ts";

const runs = Number(Deno.args.find((arg) => /^\d+$/.test(arg)) ?? 20);

function describe(samples: number[]): string {
  return `median ${percentile(samples, 0.5).toFixed(1)} ms, p95 ${percentile(samples, 0.95).toFixed(1)} ms`;
}

const FACE_BOX = { x: 280, y: 220, width: 240, height: 300 };

function photoReference(photo: Uint8Array): PageImageRequest["references"] {
  return [{ role: "child_photo", url: dataUrl(photo, "image/jpeg"), faceBox: FACE_BOX }];
}

function requestFor(
  size: 1024 | 3075,
  index: number,
  references: PageImageRequest["references"],
): PageImageRequest {
  return {
    storyId: "bench-story",
    pageNumber: index % 11,
    themeId: KNOWN_THEME_IDS[index % KNOWN_THEME_IDS.length],
    style: index % 2 ? "cartoon_3d" : "photorealistic",
    prompt: "",
    negativePrompt: "",
    seed: 1000 + index,
    size,
    references,
  };
}

/** One request in a fresh process, then waits on stdin so the parent can read its peak RSS. */
async function coldOnce(size: 1024 | 3075, photoPath: string): Promise<void> {
  const request = requestFor(size, 3, photoReference(Deno.readFileSync(photoPath)));
  const started = performance.now();
  await new StorybookIllustrator().generate(request);
  const opMs = performance.now() - started;
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ opMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
  await Deno.stdin.read(new Uint8Array(1));
}

async function main(): Promise<void> {
  const illustrator = new StorybookIllustrator();
  const photo = encodeJpeg(noisyPhoto(800, 800, 11), { quality: 90 });
  const photoPath = await Deno.makeTempFile({ prefix: "illustrator_bench_", suffix: ".jpg" });
  Deno.writeFileSync(photoPath, photo);
  const references = photoReference(photo);
  console.log(`child photo: 800×800 JPEG, ${photo.length} bytes, face box ${JSON.stringify(FACE_BOX)}`);
  const figures: Figures = {};
  for (const size of [1024, 3075] as const) {
    const count = size === 1024 ? runs : Math.max(5, Math.ceil(runs / 2));
    for (let i = 0; i < 3; i++) await illustrator.generate(requestFor(size, i, references));
    const wall: number[] = [], cpu: number[] = [], render: number[] = [], encode: number[] = [];
    for (let i = 0; i < count; i++) {
      const request = requestFor(size, i, references);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await illustrator.generate(request);
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      const renderStarted = performance.now();
      const pixels = renderStorybookScene(request, null);
      render.push(performance.now() - renderStarted);
      const encodeStarted = performance.now();
      encodeJpeg(pixels, { quality: 88 });
      encode.push(performance.now() - encodeStarted);
    }
    console.log(`${size} px, ${count} pages across the 8 themes, photo from a data: URL:`);
    console.log(`  generate(): wall ${describe(wall)}; CPU ${describe(cpu)}`);
    console.log(`  split: paint ${describe(render)} (no photo); encode ${describe(encode)}`);
    figures[`illustrator_${size}_ms`] = {
      label: `illustrator ${size} px generate(), wall median`,
      value: percentile(wall, 0.5),
      unit: "ms",
    };
    figures[`illustrator_${size}_cpu_ms`] = {
      label: `illustrator ${size} px generate(), CPU median`,
      value: percentile(cpu, 0.5),
      unit: "ms",
    };
  }
  for (const size of [1024, 3075] as const) {
    const cold = await measureColdProcess([
      ...EDGE_RUN_FLAGS,
      new URL(import.meta.url).pathname,
      "--cold-once",
      String(size),
      photoPath,
    ]);
    console.log(
      `one cold ${size} px request in a fresh process (--deny-ffi, 256 MB heap): op ${
        cold.result.opMs.toFixed(0)
      } ms, ` +
        `process CPU (start-up and imports included) ${cold.result.cpuMs.toFixed(0)} ms, ` +
        `peak RSS ${cold.peakRssMb.toFixed(0)} MB`,
    );
    figures[`illustrator_${size}_cold_cpu_ms`] = {
      label: `illustrator ${size} px, one cold request: process CPU (2 s budget)`,
      value: cold.result.cpuMs,
      unit: "ms",
    };
    figures[`illustrator_${size}_cold_rss_mb`] = {
      label: `illustrator ${size} px, one cold request: peak RSS (256 MB budget)`,
      value: cold.peakRssMb,
      unit: "MB",
    };
  }
  await recordFigures(figures);
  await Deno.remove(photoPath);
}

if (Deno.args[0] === "--cold-once") await coldOnce(Number(Deno.args[1]) === 3075 ? 3075 : 1024, Deno.args[2]);
else await main();
