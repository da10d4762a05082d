/**
 * One fal result stored as the fal-webhook function stores it (provider_call_finisher), in a fresh process:
 * download, header read, watermark (a preview page) or none (a print page), uploads and the completion. The
 * database and Storage are in-memory fakes, so the figures are the function's own CPU and memory. Prints a JSON
 * line, then waits for a newline on stdin so the parent can read this process's peak memory.
 *
 *   deno run … bench/fal_webhook_probe.ts <image file> <preview|print> <warm repetitions>
 */
import process from "node:process";
import type { QueuedImageProvider } from "../supabase/functions/_shared/images/image_provider.ts";
import { watermarkPreviewImage } from "../supabase/functions/_shared/page_results.ts";
import type { PageStore, PageTask, QueuedCall } from "../supabase/functions/_shared/page_store.ts";
import {
  createProviderCallFinisher,
  FINISHER_LIMITS,
} from "../supabase/functions/_shared/provider_call_finisher.ts";
import { percentile } from "./bench_support.ts";

const [path, kind, repetitions = "5"] = Deno.args;
if (kind !== "preview" && kind !== "print") throw new Error("kind must be preview or print");
const bytes = await Deno.readFile(path);

const task: PageTask = {
  pageId: "page",
  storyId: "story",
  userId: "user",
  pageNumber: 3,
  seed: 1,
  themeId: "ocean_explorer",
  style: "cartoon_3d",
  jobKind: kind,
  isLocked: false,
  child: { child_name: "-", child_age: 6, pronouns: "they" },
  photo: null,
  coverHiresPath: null,
  hiresPath: kind === "print" ? "story/3/lease.jpg" : null,
  previewPath: kind === "print" ? "user/story/3-lease.jpg" : null,
  contentRefusals: 0,
};
const call: QueuedCall = {
  callId: "call",
  pageId: "page",
  stage: kind === "print" ? "upscale" : "generate",
  provider: "fal",
  model: "bench",
  resolution: null,
  leaseToken: "lease",
  msgId: "1",
  carriedHiresPath: null,
  carriedPreviewPath: null,
};
const unused = () => Promise.reject(new Error("not used by the finisher"));
const pages: PageStore = {
  claim: unused,
  load: () => Promise.resolve(task),
  complete: () => Promise.resolve(true),
  failAttempt: (attempt) => Promise.reject(new Error(`the page failed: ${attempt.code} ${attempt.detail}`)),
  recordFinishedCall: unused,
  recordSubmission: unused,
  beginFinishing: () => Promise.resolve({ outcome: "begun", call }),
  closeCall: () => Promise.resolve(),
  lateCalls: unused,
};
const provider: QueuedImageProvider = {
  name: "fal",
  queued: true,
  submit: unused,
  status: unused,
  result: unused,
  cancel: unused,
  producedImage: () => ({ url: "https://v3.fal.media/files/page.jpg" }),
  costUsd: () => 0,
};
const finisher = createProviderCallFinisher({
  pages,
  objects: {
    upload: () => Promise.resolve(),
    remove: () => Promise.resolve(),
    signedUrl: unused,
    signedUrls: unused,
  },
  provider,
  watermark: watermarkPreviewImage,
  fetch: () => Promise.resolve(new Response(bytes.slice())),
  log: () => {},
  config: { referenceUrlTtlSeconds: 3600, ...FINISHER_LIMITS },
});

async function once(): Promise<number> {
  const start = process.cpuUsage();
  const outcome = await finisher.finish("request", { ok: true, output: {} });
  if (outcome !== "completed") throw new Error(`expected completed, got ${outcome}`);
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

const coldCpuMs = await once();
const warm: number[] = [];
for (let i = 0; i < Number(repetitions); i++) warm.push(await once());
console.log(JSON.stringify({ coldCpuMs, warmCpuMs: percentile(warm, 0.5) }));
await Deno.stdin.read(new Uint8Array(1));
