/**
 * Benchmark: previews end to end on the local platform, through the previews function, pgmq, pg_cron, pg_net
 * and the page-worker function, with the in-house illustrator slowed to a fixed latency L per image.
 *
 *   npm run bench:preview -- [--latency MS=2000] [--previews N=20] [--concurrency C=16]
 *
 * Prints, from the database's own timestamps (story created → job completed, page queued → claimed):
 * - time to one preview / L (target ≤ 2.3: the cover, then the five pages in parallel);
 * - enqueue → worker start latency (p50, p95);
 * - watermark ms for a 1024 px JPEG and the ratio to the 16 ms Pillow baseline (bench:watermark measures Pillow);
 * - N concurrent previews with at most C pages drawn at once: total time / ideal time, where the ideal is
 *   max(2·L, 6·N·L / C), and whether every page was drawn exactly once.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { prepareDatabase } from "../platform/cli/main.ts";
import { platformSettings } from "../platform/cli/settings.ts";
import { encodeJpeg } from "../supabase/functions/_shared/images/jpeg_encoder.ts";
import { noisyPhoto } from "../supabase/functions/_shared/images/test_images.ts";
import { watermarkPreview } from "../supabase/functions/_shared/images/watermark.ts";
import { startProjectPlatform, storyObjects } from "../tests/support/preview_fixtures.ts";
import {
  batchSpanMs,
  batchTimings,
  createPreview,
  idealMs,
  prepareParents,
  PREVIEW_PAGES,
  type StoryTiming,
  waitForStories,
} from "../suites/preview_load.ts";
import { machineCpuBusy, machineCpuTicks, percentile, recordFigures } from "./bench_support.ts";

const PILLOW_BASELINE_MS = 16;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    latency: { type: "string", default: "2000" },
    previews: { type: "string", default: "20" },
    concurrency: { type: "string", default: "16" },
  },
});
const latencyMs = Number(values.latency);
const previewCount = Number(values.previews);
const concurrency = Number(values.concurrency);

async function watermarkMs(): Promise<number> {
  const jpeg = encodeJpeg(noisyPhoto(1024, 1024), { quality: 90 });
  for (let i = 0; i < 5; i++) await watermarkPreview(jpeg);
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    await watermarkPreview(jpeg);
    samples.push(performance.now() - started);
  }
  return percentile(samples, 0.5);
}

const settings = platformSettings();
await prepareDatabase(settings);
const platform = await startProjectPlatform("bench_preview", {
  dispatch: "platform",
  functionEnv: { IMAGE_PROVIDER_LATENCY_MS: String(latencyMs) },
});
try {
  const admin = platform.admin;
  await admin`update internal.pipeline_settings set max_concurrent_pages = ${concurrency}`;
  console.log(`L = ${latencyMs} ms, N = ${previewCount}, C = ${concurrency}\n`);

  // A first preview boots the functions' workers; it is reported but not used for the ratio.
  const [coldParent, singleParent] = await prepareParents(platform, 2);
  const cold = await createPreview(platform, coldParent);
  await waitForStories(admin, [cold], 60_000 + 10 * latencyMs);
  const single = await createPreview(platform, singleParent);
  await waitForStories(admin, [single], 60_000 + 10 * latencyMs);
  const [coldRun, singleRun] = [await batchTimings(admin, [cold]), await batchTimings(admin, [single])];
  const elapsed = (story: StoryTiming) => story.completed!.getTime() - story.created.getTime();
  const coldMs = elapsed(coldRun.stories[0]);
  const singleMs = elapsed(singleRun.stories[0]);
  console.log("one preview (cover + 5 pages)");
  console.log(`  cold start:        ${coldMs} ms`);
  console.log(
    `  warm:              ${singleMs} ms = ${(singleMs / latencyMs).toFixed(2)} × L   (target ≤ 2.3)`,
  );
  console.log(
    `  enqueue → worker:  p50 ${percentile(singleRun.waits, 0.5).toFixed(0)} ms, ` +
      `p95 ${percentile(singleRun.waits, 0.95).toFixed(0)} ms`,
  );

  const watermark = await watermarkMs();
  console.log(
    `\nwatermark, 1024 px JPEG: ${watermark.toFixed(1)} ms median = ` +
      `${
        (watermark / PILLOW_BASELINE_MS).toFixed(2)
      } × Pillow baseline (${PILLOW_BASELINE_MS} ms; target ≤ 4.5)`,
  );

  const parents = await prepareParents(platform, previewCount);
  const started = Date.now();
  const cpuBefore = machineCpuTicks();
  const platformCpuBefore = process.cpuUsage();
  const storyIds = await Promise.all(parents.map((parent) => createPreview(platform, parent)));
  await waitForStories(admin, storyIds, 120_000 + previewCount * PREVIEW_PAGES * latencyMs);
  const utilisation = machineCpuBusy(cpuBefore, machineCpuTicks());
  const platformCpu = process.cpuUsage(platformCpuBefore);
  const runMs = Date.now() - started;
  const run = await batchTimings(admin, storyIds);
  const totalMs = batchSpanMs(run.stories);
  const ideal = idealMs(previewCount, latencyMs, concurrency);
  const objects = await Promise.all(storyIds.map((id) => storyObjects(platform, id)));
  const stored = objects.reduce((sum, story) => sum + story.pages.length, 0);
  const completed = run.stories.filter((story) => story.status === "completed").length;
  console.log(`\n${previewCount} concurrent previews, at most ${concurrency} pages at once`);
  console.log(
    `  total:             ${totalMs} ms; ideal ${ideal.toFixed(0)} ms; ratio ${
      (totalMs / ideal).toFixed(2)
    }   (target ≤ 1.15)`,
  );
  console.log(`  completed:         ${completed} of ${previewCount}`);
  console.log(
    `  pages drawn:       ${run.drawn} of ${PREVIEW_PAGES * previewCount}; attempts the pipeline counted ` +
      `${run.attempts}; hi-res objects ${stored}`,
  );
  console.log(
    `  enqueue → worker:  p50 ${percentile(run.waits, 0.5).toFixed(0)} ms, p95 ${
      percentile(run.waits, 0.95).toFixed(0)
    } ms` +
      " (includes waiting for a free slot)",
  );
  console.log(
    `  claim → page done: p50 ${percentile(run.services, 0.5).toFixed(0)} ms, ` +
      `p95 ${percentile(run.services, 0.95).toFixed(0)} ms (L = ${latencyMs} ms of it)`,
  );
  console.log(`  client wall clock: ${Date.now() - started} ms`);
  console.log(
    `  machine CPU busy:  ${(100 * utilisation).toFixed(0)}% of ${navigator.hardwareConcurrency} cores ` +
      "(everything local: illustrator, watermark, Storage, Postgres, the platform)",
  );
  // The platform runs inside this process: its Storage, Auth, proxy and pg_net sender share one JS thread.
  const platformShare = (platformCpu.user + platformCpu.system) / 1000 / runMs;
  console.log(`  platform process:  ${(100 * platformShare).toFixed(0)}% of one core`);

  await recordFigures({
    preview_cold_ms: { label: "one preview, cold functions", value: coldMs, unit: "ms" },
    preview_ms: { label: `one preview (cover + 5 pages), L ${latencyMs} ms`, value: singleMs, unit: "ms" },
    preview_over_latency: { label: "one preview / L", value: singleMs / latencyMs, unit: "× L" },
    preview_dispatch_p95_ms: {
      label: "one preview: page enqueue → worker p95",
      value: percentile(singleRun.waits, 0.95),
      unit: "ms",
    },
    preview_watermark_ms: { label: "watermark 1024 px JPEG, median", value: watermark, unit: "ms" },
    preview_batch_ratio: {
      label:
        `${previewCount} previews (in-house illustrator), L ${latencyMs} ms, C ${concurrency}: total / ideal`,
      value: totalMs / ideal,
      unit: "×",
    },
    preview_batch_lost: {
      label: `${previewCount} previews: pages not drawn`,
      value: PREVIEW_PAGES * previewCount - run.drawn,
      unit: "",
    },
    preview_batch_cpu_busy: {
      label: `${previewCount} previews: machine CPU busy`,
      value: 100 * utilisation,
      unit: "%",
    },
  });
} finally {
  await platform.close();
}
