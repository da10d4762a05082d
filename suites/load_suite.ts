/**
 * The load suite: N parents ask for a preview at the same moment and poll its status as a frontend does, on the
 * local platform, with fal's queue played by the local fake (tests/support/fake_fal) answering each image after
 * L ms, and the pipeline drawing at most C pages at once. Loopback only; bounded in count and by a global
 * deadline.
 *
 *   npm run suite:load -- [--previews N=200] [--latency MS=3000] [--concurrency C=20] [--poll MS=2000]
 *                         [--deadline S]
 *
 * It prints one table:
 * - the batch's total time (first story created → last job completed, from the database's timestamps) against
 *   the ideal max(2·L, 6·N·L / C), goal ≤ 1.15;
 * - p50 / p99 of the parents' requests, timed at the client: POST previews, and GET previews/{id}/status every
 *   `--poll` ms from a random offset until the preview has finished;
 * - the proof that nothing was lost and each page was generated once: stories completed, pages done, image
 *   requests counted at the fake provider (6·N pages done and 6·N requests made means one request per page),
 *   the most requests the provider had at once (≤ C), webhooks accepted, objects in Storage (one full-size
 *   render and one watermarked preview per page, each referenced by its page), and nothing left in the queue;
 * - how busy the machine was, so a ratio measured while CPU was short is not mistaken for the pipeline's.
 *
 * The defaults (L = 3 s, C = 20) make the ideal 3 minutes for 200 previews: 6.7 images a second, which this
 * 2-core machine serves at about half its CPU, so the ratio measures the pipeline rather than the machine. A
 * real fal request takes 10–60 s, so a shorter L is the harder case: our own work per page weighs more.
 *
 * Exits non-zero when any check of the proof fails or the deadline passes; the ratio is a measurement.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { prepareDatabase } from "../platform/cli/main.ts";
import { platformSettings } from "../platform/cli/settings.ts";
import type { TestPlatform } from "../platform/tests/support/test_platform.ts";
import { type FakeFal, startFakeFal, type SubmitRecord } from "../tests/support/fake_fal/fake_fal_server.ts";
import { startProjectPlatform } from "../tests/support/preview_fixtures.ts";
import {
  type Figures,
  formatTable,
  loadAverage,
  machineCpuBusy,
  machineCpuTicks,
  percentile,
  recordFigures,
} from "../bench/bench_support.ts";
import {
  batchOutcome,
  batchSpanMs,
  batchTimings,
  createPreview,
  getPreviewStatus,
  idealMs,
  type Parent,
  postPreview,
  prepareParents,
  PREVIEW_PAGES,
  waitForStories,
} from "./preview_load.ts";

const FAL_KEY = "load-suite-key-id:load-suite-key-secret";
const RATIO_GOAL = 1.15;

export interface LoadSuiteOptions {
  previews: number;
  /** The fake provider's time from submission to result, per image. */
  latencyMs: number;
  /** internal.pipeline_settings.max_concurrent_pages. */
  concurrency: number;
  /** How often each parent polls its preview's status. */
  pollMs: number;
  /** The whole run (warm-up, arranging, the batch, the checks) must end by then. */
  deadlineMs: number;
  /** Progress lines, for a person watching. */
  log?: (line: string) => void;
}

/** Bounds that keep a run on one machine sane: loopback, pg_net's 200 requests in flight, under an hour. */
export const LIMITS = {
  previews: [1, 1000],
  latencyMs: [10, 120_000],
  concurrency: [1, 200],
  pollMs: [100, 60_000],
  deadlineMs: [10_000, 3_600_000],
} as const;

/** Three times the ideal, plus time to arrange the parents and boot the platform. */
export function defaultDeadlineMs(previews: number, latencyMs: number, concurrency: number): number {
  return Math.min(
    LIMITS.deadlineMs[1],
    3 * idealMs(previews, latencyMs, concurrency) + 120_000 + 200 * previews,
  );
}

export interface Check {
  what: string;
  expected: string;
  actual: number;
  ok: boolean;
}

export interface LoadSuiteResult {
  options: LoadSuiteOptions;
  totalMs: number;
  idealMs: number;
  ratio: number;
  postMs: number[];
  pollMs: number[];
  /** Page claim → completion, ms: L plus our own work around the provider's. */
  servicesMs: number[];
  split: PageSplit;
  waitsMs: number[];
  /** The largest number of requests the provider was working on at once (null when it had none). */
  peakProviderInFlight: number | null;
  /** Webhook deliveries answered other than 2xx (409: the result arrived before its submission was recorded). */
  webhooksDeferred: number;
  machineCpuBusy: number;
  /** This process (platform, fake provider, the parents' client) as a share of one core. */
  processCpuShare: number;
  loadBefore: number;
  loadAfter: number;
  deadlineHit: boolean;
  checks: Check[];
}

function checkRange(name: keyof typeof LIMITS, value: number): void {
  const [min, max] = LIMITS[name];
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener("abort", wake, { once: true });
  });
}

/**
 * The most requests the provider was working on at once (queued, not yet finished), from the times the fake
 * recorded; null when there were none. At the same instant a finish counts before a start.
 */
function peakInFlight(submits: SubmitRecord[]): number | null {
  const events = submits.flatMap((submit) => [
    ...(submit.queuedAt === null ? [] : [{ at: submit.queuedAt, delta: 1 }]),
    ...(submit.finishedAt === null ? [] : [{ at: submit.finishedAt, delta: -1 }]),
  ]).sort((a, b) => a.at - b.at || a.delta - b.delta);
  if (events.length === 0) return null;
  let current = 0;
  let peak = 0;
  for (const event of events) {
    current += event.delta;
    peak = Math.max(peak, current);
  }
  return peak;
}

/** Where a page's time goes between its claim and its completion, from the pipeline's own timestamps, ms. */
interface PageSplit {
  /** Claim → the provider's answer to the submission recorded (load, sign URLs, submit). */
  beforeProvider: number[];
  /** Submission recorded → the webhook's answer reaching us: L, the provider fetching its inputs, delivery. */
  atProvider: number[];
  /** The answer reaching us → page completed (download, watermark, two uploads, completion). */
  afterProvider: number[];
}

async function pageSplit(admin: TestPlatform["admin"], storyIds: string[]): Promise<PageSplit> {
  const rows = await admin<{ before: number; at: number; after: number }[]>`
    select extract(epoch from (c.submitted_at - p.started_at)) * 1000 as before,
           extract(epoch from (c.answered_at - c.submitted_at)) * 1000 as at,
           extract(epoch from (p.completed_at - c.answered_at)) * 1000 as after
      from public.story_pages p join internal.provider_calls c on c.page_id = p.id
     where p.story_id = any(${storyIds}::uuid[]) and c.status = 'completed'`;
  return {
    beforeProvider: rows.map((row) => Number(row.before)),
    atProvider: rows.map((row) => Number(row.at)),
    afterProvider: rows.map((row) => Number(row.after)),
  };
}

/** One parent: POST previews, then polls the status until the preview has finished or the run is stopped. */
async function parentJourney(
  platform: TestPlatform,
  parent: Parent,
  pollMs: number,
  stop: AbortSignal,
  samples: { post: number[]; poll: number[]; failed: number },
): Promise<string | null> {
  const created = await postPreview(platform, parent);
  samples.post.push(created.ms);
  const previewId = created.body.preview_id;
  if (created.status !== 202 || !previewId) {
    samples.failed++;
    return null;
  }
  await sleep(Math.random() * pollMs, stop);
  while (!stop.aborted) {
    const answer = await getPreviewStatus(platform, parent, previewId);
    samples.poll.push(answer.ms);
    if (answer.status !== 200) samples.failed++;
    if (answer.body.status === "completed" || answer.body.status === "failed") break;
    await sleep(pollMs, stop);
  }
  return previewId;
}

/** Every request the fake received after `since` submissions has finished and had its webhook delivered. */
async function providerSettled(fake: FakeFal, since: number): Promise<void> {
  await Promise.all(
    fake.submits.slice(since).flatMap((submit) => submit.requestId ? [fake.settled(submit.requestId)] : []),
  );
}

function withDeadline<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      const fail = () => reject(new Error(`the deadline passed while ${what}`));
      if (signal.aborted) fail();
      signal.addEventListener("abort", fail, { once: true });
    }),
  ]);
}

export async function runLoadSuite(options: LoadSuiteOptions): Promise<LoadSuiteResult> {
  for (const name of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) checkRange(name, options[name]);
  const { previews, latencyMs, concurrency, pollMs } = options;
  const log = options.log ?? (() => {});
  // A timer of our own rather than AbortSignal.timeout, so that it can be cleared and not hold the process open.
  const stopper = new AbortController();
  const deadlineTimer = setTimeout(() => stopper.abort(), options.deadlineMs);
  const deadline = stopper.signal;
  const fake = await startFakeFal({ credentials: FAL_KEY, runMs: latencyMs });
  let platform: TestPlatform | undefined;
  try {
    platform = await startProjectPlatform("load_suite", {
      dispatch: "platform",
      functionEnv: {
        IMAGE_PROVIDER: "fal",
        FAL_KEY,
        FAL_PROXY_URL: fake.proxyUrl,
        FAL_WEBHOOK_JWKS_URL: fake.jwksUrl,
      },
    });
    const admin = platform.admin;
    await admin`update internal.pipeline_settings set max_concurrent_pages = ${concurrency}`;

    // One preview first boots the functions' workers (previews, page-worker, fal-webhook); it is not measured.
    log("warming up: one preview");
    const [warmParent] = await prepareParents(platform, 1);
    const warmId = await createPreview(platform, warmParent);
    await withDeadline(waitForStories(admin, [warmId], options.deadlineMs), deadline, "warming up");
    await withDeadline(providerSettled(fake, 0), deadline, "warming up");

    log(`arranging ${previews} parents (sign-in and photo)`);
    const parents = await withDeadline(prepareParents(platform, previews), deadline, "arranging the parents");
    const submitsBefore = fake.submits.length;
    const deliveriesBefore = fake.deliveries.length;

    log(`${previews} previews at once; L = ${latencyMs} ms, C = ${concurrency}`);
    const loadBefore = loadAverage();
    const cpuBefore = machineCpuTicks();
    const processCpuBefore = process.cpuUsage();
    const started = performance.now();
    const samples = { post: [] as number[], poll: [] as number[], failed: 0 };
    const previewIds = (await Promise.all(
      parents.map((parent) => parentJourney(platform!, parent, pollMs, deadline, samples)),
    )).filter((id): id is string => id !== null);
    const elapsedMs = performance.now() - started;
    const busy = machineCpuBusy(cpuBefore, machineCpuTicks());
    const processCpu = process.cpuUsage(processCpuBefore);
    const loadAfter = loadAverage();
    const deadlineHit = deadline.aborted;

    if (!deadlineHit) {
      log("waiting for the provider's last webhooks");
      await withDeadline(providerSettled(fake, submitsBefore), deadline, "waiting for the provider").catch(
        () => {},
      );
    }
    log("checking what the database and Storage hold");
    const timings = await batchTimings(admin, previewIds);
    const outcome = await batchOutcome(admin, previewIds);
    const submits = fake.submits.slice(submitsBefore);
    const deliveries = fake.deliveries.slice(deliveriesBefore);
    const accepted = (status: number | null) => status !== null && status >= 200 && status < 300;
    const pages = PREVIEW_PAGES * previews;
    const peak = peakInFlight(submits);
    const exactly = (what: string, expected: number, actual: number): Check => ({
      what,
      expected: String(expected),
      actual,
      ok: actual === expected,
    });
    const checks: Check[] = [
      exactly("previews accepted (202)", previews, previewIds.length),
      exactly("stories completed", previews, outcome.storiesCompleted),
      exactly("pages done", pages, outcome.pagesDone),
      exactly(
        "image requests accepted by the provider",
        pages,
        submits.filter((s) => s.status === 200).length,
      ),
      exactly("image requests refused by the provider", 0, submits.filter((s) => s.status !== 200).length),
      {
        what: "most requests at the provider at once",
        expected: `≤ ${concurrency}`,
        actual: peak ?? Number.NaN,
        ok: peak !== null && peak <= concurrency,
      },
      exactly("webhooks accepted", pages, deliveries.filter((delivery) => accepted(delivery.status)).length),
      exactly("full-size renders stored (pages bucket)", pages, outcome.pageObjects),
      exactly("watermarked previews stored (previews bucket)", pages, outcome.previewObjects),
      exactly("pages without exactly one of each", 0, outcome.pagesWithoutOneObjectEach),
      exactly("stored objects no page points at", 0, outcome.unreferencedObjects),
      exactly("page tasks left in the queue", 0, outcome.queuedTasks),
      exactly("page tasks archived (failed)", 0, outcome.archivedTasks),
      exactly("provider calls still open", 0, outcome.openProviderCalls),
      exactly("parents' requests not answered 2xx", 0, samples.failed),
    ];
    const totalMs = batchSpanMs(timings.stories);
    const ideal = idealMs(previews, latencyMs, concurrency);
    return {
      options,
      totalMs,
      idealMs: ideal,
      ratio: totalMs / ideal,
      postMs: samples.post,
      pollMs: samples.poll,
      servicesMs: timings.services,
      split: await pageSplit(admin, previewIds),
      waitsMs: timings.waits,
      peakProviderInFlight: peak,
      webhooksDeferred: deliveries.filter((delivery) => !accepted(delivery.status)).length,
      machineCpuBusy: busy,
      processCpuShare: (processCpu.user + processCpu.system) / 1000 / elapsedMs,
      loadBefore,
      loadAfter,
      deadlineHit,
      checks,
    };
  } finally {
    clearTimeout(deadlineTimer);
    log("stopping the platform and the fake provider");
    await platform?.close();
    await fake.close();
  }
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
/** Two percentiles of the samples, and how many there were. */
const percentiles = (samples: number[], low: number, high: number) =>
  samples.length === 0
    ? "none"
    : `${ms(percentile(samples, low))} / ${ms(percentile(samples, high))} (${samples.length})`;

const mean = (samples: number[]) =>
  samples.reduce((sum, sample) => sum + sample, 0) / Math.max(1, samples.length);

/**
 * The C slots' time over the batch, split three ways: the provider's L per page, the rest of each page's claim →
 * completion, and what is left (dispatch → claim, and slots idle at the start and the end). The first is
 * 1 / ratio: the other two are where a ratio above 1 comes from.
 */
function slotSplit(result: LoadSuiteResult): string {
  const { previews, latencyMs, concurrency } = result.options;
  const slotMs = concurrency * result.totalMs;
  const drawing = PREVIEW_PAGES * previews * latencyMs;
  const ours = result.servicesMs.reduce((sum, sample) => sum + sample, 0) - drawing;
  const percent = (part: number) => `${(100 * part / slotMs).toFixed(1)}%`;
  return `${percent(drawing)} / ${percent(ours)} / ${percent(slotMs - drawing - ours)}`;
}

/** The one table the suite prints. */
export function formatLoadReport(result: LoadSuiteResult): string {
  const { previews, latencyMs, concurrency, pollMs } = result.options;
  const verdict = (ok: boolean) => ok ? "ok" : "MISSED";
  const rows: string[][] = [
    [
      "previews at once, provider latency L, concurrency C",
      `${previews}, ${ms(latencyMs)}, ${concurrency}`,
      "",
      "",
    ],
    ["total (first created → last completed)", ms(result.totalMs), "", ""],
    ["ideal max(2·L, 6·N·L/C)", ms(result.idealMs), "", ""],
    ["total / ideal", result.ratio.toFixed(3), `≤ ${RATIO_GOAL}`, verdict(result.ratio <= RATIO_GOAL)],
    ["POST previews p50 / p99 (requests)", percentiles(result.postMs, 0.5, 0.99), "", ""],
    [
      `GET previews/{id}/status every ${ms(pollMs)}, p50 / p99`,
      percentiles(result.pollMs, 0.5, 0.99),
      "",
      "",
    ],
    [
      "page queued → claimed p50 / p95 (waits for a slot)",
      percentiles(result.waitsMs, 0.5, 0.95),
      "",
      "",
    ],
    ["page claimed → done, mean (L of it)", ms(mean(result.servicesMs)), "", ""],
    ["  claimed → submitted to the provider, mean", ms(mean(result.split.beforeProvider)), "", ""],
    ["  submitted → webhook answer received, mean", ms(mean(result.split.atProvider)), "", ""],
    ["  webhook answer → page done, mean", ms(mean(result.split.afterProvider)), "", ""],
    [
      "slot time: L / rest of claim → done / dispatch → claim and idle",
      slotSplit(result),
      "",
      "",
    ],
    ["webhooks answered other than 2xx (retried by the provider)", String(result.webhooksDeferred), "", ""],
    ...result.checks.map((check) => [
      check.what,
      Number.isNaN(check.actual) ? "unknown" : String(check.actual),
      check.expected,
      verdict(check.ok),
    ]),
    [
      "machine CPU busy during the batch",
      `${(100 * result.machineCpuBusy).toFixed(0)}% of ${navigator.hardwareConcurrency} cores`,
      "CPU not the bottleneck",
      "",
    ],
    [
      "this process (platform, fake provider, clients)",
      `${(100 * result.processCpuShare).toFixed(0)}% of one core`,
      "",
      "",
    ],
    [
      "load average (1 min) before → after",
      `${result.loadBefore.toFixed(2)} → ${result.loadAfter.toFixed(2)}`,
      "",
      "",
    ],
  ];
  if (result.deadlineHit) rows.push(["global deadline", "passed before the batch finished", "", "MISSED"]);
  return formatTable(["measure", "value", "goal", "verdict"], rows);
}

/** A percentile, or NaN (written as null) when there were no samples. */
const p = (samples: number[], fraction: number) =>
  samples.length === 0 ? Number.NaN : percentile(samples, fraction);

/** The figures bench/all_benchmarks.ts reads. */
export function loadFigures(result: LoadSuiteResult): Figures {
  const { previews, latencyMs, concurrency } = result.options;
  const failed = result.checks.filter((check) => !check.ok).length;
  return {
    load_ratio: {
      label: `${previews} previews, L ${latencyMs} ms, C ${concurrency}: total / ideal`,
      value: result.ratio,
      unit: "×",
    },
    load_total_ms: { label: "load: total time", value: result.totalMs, unit: "ms" },
    load_ideal_ms: { label: "load: ideal time", value: result.idealMs, unit: "ms" },
    load_post_p50_ms: { label: "load: POST previews p50", value: p(result.postMs, 0.5), unit: "ms" },
    load_post_p99_ms: { label: "load: POST previews p99", value: p(result.postMs, 0.99), unit: "ms" },
    load_poll_p50_ms: { label: "load: GET status p50", value: p(result.pollMs, 0.5), unit: "ms" },
    load_poll_p99_ms: { label: "load: GET status p99", value: p(result.pollMs, 0.99), unit: "ms" },
    load_failed_checks: { label: "load: failed checks (nothing lost, once each)", value: failed, unit: "" },
    load_cpu_busy: { label: "load: machine CPU busy", value: 100 * result.machineCpuBusy, unit: "%" },
  };
}

function parseOptions(args: string[]): LoadSuiteOptions {
  const { values } = parseArgs({
    args,
    options: {
      previews: { type: "string", default: "200" },
      latency: { type: "string", default: "3000" },
      concurrency: { type: "string", default: "20" },
      poll: { type: "string", default: "2000" },
      deadline: { type: "string" },
    },
  });
  const previews = Number(values.previews);
  const latencyMs = Number(values.latency);
  const concurrency = Number(values.concurrency);
  return {
    previews,
    latencyMs,
    concurrency,
    pollMs: Number(values.poll),
    deadlineMs: values.deadline === undefined
      ? defaultDeadlineMs(previews, latencyMs, concurrency)
      : 1000 * Number(values.deadline),
    log: (line) => console.error(`· ${line}`),
  };
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  await prepareDatabase(platformSettings());
  const result = await runLoadSuite(options);
  console.log(formatLoadReport(result));
  await recordFigures(loadFigures(result));
  if (result.deadlineHit || result.checks.some((check) => !check.ok)) Deno.exit(1);
}
