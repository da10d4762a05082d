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
import { createClient } from "@supabase/supabase-js";
import { prepareDatabase } from "../platform/cli/main.ts";
import { platformSettings } from "../platform/cli/settings.ts";
import type { TestPlatform } from "../platform/tests/support/test_platform.ts";
import { encodeJpeg } from "../supabase/functions/_shared/images/jpeg_encoder.ts";
import { noisyPhoto } from "../supabase/functions/_shared/images/test_images.ts";
import { watermarkPreview } from "../supabase/functions/_shared/images/watermark.ts";
import {
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
  storyObjects,
} from "../tests/support/preview_fixtures.ts";
import { percentile } from "./bench_support.ts";

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

interface Parent {
  accessToken: string;
  photoId: string;
}

/** A signed-in parent with a stored photo: arranged before the clock starts. */
async function prepareParent(platform: TestPlatform): Promise<Parent> {
  const parent = await signInAnonymously(platform);
  return { accessToken: parent.accessToken, photoId: await storePhoto(platform, parent.id) };
}

async function createPreview(platform: TestPlatform, parent: Parent): Promise<string> {
  const client = createClient(platform.url, platform.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${parent.accessToken}` } },
  });
  const { data, error } = await client.functions.invoke("previews", {
    body: {
      photo_id: parent.photoId,
      child_name: "Mia",
      child_age: 6,
      pronouns: "she",
      theme: "magic_castle",
      style: "cartoon_3d",
    },
  });
  if (error) throw new Error(`creating a preview failed: ${error.message}`);
  return data.preview_id;
}

async function waitForStories(platform: TestPlatform, storyIds: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [{ open }] = await platform.admin`select count(*)::int as open from public.stories
                                             where id = any(${storyIds}::uuid[]) and status not in ('completed', 'failed')`;
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`previews still unfinished after ${timeoutMs} ms`);
}

interface StoryTiming {
  story_id: string;
  status: string;
  created: Date;
  completed: Date | null;
}

async function timings(platform: TestPlatform, storyIds: string[]) {
  const stories = await platform.admin<StoryTiming[]>`
    select s.id as story_id, s.status::text as status, s.created_at as created, j.completed_at as completed
      from public.stories s join public.generation_jobs j on j.story_id = s.id
     where s.id = any(${storyIds}::uuid[])`;
  const starts = await platform.admin<{ wait_ms: number; service_ms: number }[]>`
    select extract(epoch from (started_at - queued_at)) * 1000 as wait_ms,
           extract(epoch from (completed_at - started_at)) * 1000 as service_ms
      from public.story_pages
     where story_id = any(${storyIds}::uuid[]) and started_at is not null`;
  const [{ attempts, drawn }] = await platform.admin`
    select coalesce(sum(attempts), 0)::int as attempts, count(*) filter (where status = 'done')::int as drawn
      from public.story_pages where story_id = any(${storyIds}::uuid[]) and page_number <= 5`;
  return {
    stories,
    waits: starts.map((row) => Number(row.wait_ms)),
    services: starts.map((row) => Number(row.service_ms)),
    attempts,
    drawn,
  };
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (first line of /proc/stat). */
function cpuTicks(): { busy: number; total: number } {
  const [, ...fields] = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, tick) => sum + tick, 0);
  return { busy: total - idle, total };
}

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
  await platform.admin`update internal.pipeline_settings set max_concurrent_pages = ${concurrency}`;
  console.log(`L = ${latencyMs} ms, N = ${previewCount}, C = ${concurrency}\n`);

  // A first preview boots the functions' workers; it is reported but not used for the ratio.
  const cold = await createPreview(platform, await prepareParent(platform));
  await waitForStories(platform, [cold], 60_000 + 10 * latencyMs);
  const single = await createPreview(platform, await prepareParent(platform));
  await waitForStories(platform, [single], 60_000 + 10 * latencyMs);
  const [coldRun, singleRun] = [await timings(platform, [cold]), await timings(platform, [single])];
  const elapsed = (story: StoryTiming) => story.completed!.getTime() - story.created.getTime();
  const singleMs = elapsed(singleRun.stories[0]);
  console.log("one preview (cover + 5 pages)");
  console.log(`  cold start:        ${elapsed(coldRun.stories[0])} ms`);
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

  const parents = await Promise.all(Array.from({ length: previewCount }, () => prepareParent(platform)));
  const started = Date.now();
  const cpuBefore = cpuTicks();
  const platformCpuBefore = process.cpuUsage();
  const storyIds = await Promise.all(parents.map((parent) => createPreview(platform, parent)));
  await waitForStories(platform, storyIds, 120_000 + previewCount * 6 * latencyMs);
  const cpuAfter = cpuTicks();
  const platformCpu = process.cpuUsage(platformCpuBefore);
  const runMs = Date.now() - started;
  const run = await timings(platform, storyIds);
  const first = Math.min(...run.stories.map((story) => story.created.getTime()));
  const last = Math.max(...run.stories.map((story) => story.completed?.getTime() ?? Date.now()));
  const ideal = Math.max(2 * latencyMs, (6 * previewCount * latencyMs) / concurrency);
  const objects = await Promise.all(storyIds.map((id) => storyObjects(platform, id)));
  const stored = objects.reduce((sum, story) => sum + story.pages.length, 0);
  console.log(`\n${previewCount} concurrent previews, at most ${concurrency} pages at once`);
  console.log(
    `  total:             ${last - first} ms; ideal ${ideal.toFixed(0)} ms; ratio ${
      ((last - first) / ideal).toFixed(2)
    }   (target ≤ 1.15)`,
  );
  console.log(
    `  completed:         ${
      run.stories.filter((story) => story.status === "completed").length
    } of ${previewCount}`,
  );
  console.log(
    `  pages drawn:       ${run.drawn} of ${
      6 * previewCount
    }; provider calls ${run.attempts}; hi-res objects ${stored}`,
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
  const utilisation = (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total);
  console.log(
    `  machine CPU busy:  ${(100 * utilisation).toFixed(0)}% of ${navigator.hardwareConcurrency} cores ` +
      "(everything local: illustrator, watermark, Storage, Postgres, the platform)",
  );
  // The platform runs inside this process: its Storage, Auth, proxy and pg_net sender share one JS thread.
  const platformShare = (platformCpu.user + platformCpu.system) / 1000 / runMs;
  console.log(`  platform process:  ${(100 * platformShare).toFixed(0)}% of one core`);
} finally {
  await platform.close();
}
