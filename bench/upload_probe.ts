/**
 * One upload's image work in a fresh process, as the upload-photo function does it: normalise the photo, then
 * detect faces on the result. Prints a JSON line of CPU times, then waits for a newline on stdin so the parent
 * can read this process's peak memory before it exits.
 *
 *   deno run … bench/upload_probe.ts <photo file> <warm repetitions> [<next photo file>]
 *
 * With a next photo, it is processed after the others and, after a garbage collection (run with
 * --expose-gc), the process's resident memory is reported: what a warm instance keeps between requests.
 */
import process from "node:process";
import { normalisePhoto } from "../supabase/functions/_shared/images/photo_normalisation.ts";
import { BUNDLED_MODEL_DIR, loadFaceDetector } from "../supabase/functions/upload-photo/face_detector.ts";
import { currentRssMb, percentile } from "./bench_support.ts";

function cpuMs(since?: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
}

const [path, repetitions = "5", nextPath] = Deno.args;
const bytes = await Deno.readFile(path);

const coldStart = process.cpuUsage();
const detector = await loadFaceDetector({ modelDir: BUNDLED_MODEL_DIR });
const modelLoadCpuMs = cpuMs(coldStart);

async function oneUpload(): Promise<{ normaliseCpuMs: number; detectCpuMs: number; faces: number }> {
  const start = process.cpuUsage();
  const photo = await normalisePhoto(bytes);
  const normaliseCpuMs = cpuMs(start);
  const detectStart = process.cpuUsage();
  const faces = await detector.detect(photo.image);
  return { normaliseCpuMs, detectCpuMs: cpuMs(detectStart), faces: faces.length };
}

const first = await oneUpload();
const warm: (typeof first)[] = [];
for (let i = 0; i < Number(repetitions); i++) warm.push(await oneUpload());
let keptRssMb: number | undefined;
if (nextPath) {
  await detector.detect((await normalisePhoto(await Deno.readFile(nextPath))).image);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --v8-flags=--expose-gc to measure the memory kept");
  gc();
  keptRssMb = currentRssMb();
}
const median = (pick: (run: typeof first) => number) => percentile(warm.map(pick), 0.5);

console.log(JSON.stringify({
  modelLoadCpuMs,
  coldCpuMs: modelLoadCpuMs + first.normaliseCpuMs + first.detectCpuMs,
  warmNormaliseCpuMs: median((run) => run.normaliseCpuMs),
  warmDetectCpuMs: median((run) => run.detectCpuMs),
  faces: first.faces,
  ...(keptRssMb === undefined ? {} : { keptRssMb }),
}));
// Stay alive until the parent has read the peak memory.
await Deno.stdin.read(new Uint8Array(1));
