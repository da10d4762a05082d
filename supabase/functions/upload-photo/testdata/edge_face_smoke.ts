/**
 * Run by face_detector_test.ts in a subprocess with the edge runtime's restrictions (no FFI, no subprocesses,
 * a 256 MB heap, reads limited to the project and the Deno cache): loads the bundled model, then detects the
 * faces in the JPEG given on stdin, once cold and `repetitions` times warm. Prints one JSON line: the faces,
 * the tfjs backend, the CPU times and whether tensors were left behind.
 *
 *   deno run <restrictions> edge_face_smoke.ts [repetitions] < photo.jpg
 */
import process from "node:process";
import { decodeJpeg } from "../../_shared/images/image_decoding.ts";
import { BUNDLED_MODEL_DIR, loadFaceDetector } from "../face_detector.ts";

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const repetitions = Number(Deno.args[0] ?? "3");
const image = await decodeJpeg(new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer()));

const loadStartedAt = performance.now();
const loadCpu = process.cpuUsage();
const detector = await loadFaceDetector({ modelDir: BUNDLED_MODEL_DIR });
const coldLoadCpuMs = cpuMsSince(loadCpu);
const coldLoadMs = performance.now() - loadStartedAt;

// Already evaluated by the detector: this import only reaches the same tfjs instance to read its state.
const { tf } = await import("@vladmandic/face-api/dist/face-api.esm.js");
const tfState = tf as unknown as { getBackend(): string; memory(): { numTensors: number } };
const tensorsBefore = tfState.memory().numTensors;

const firstCpu = process.cpuUsage();
const faces = await detector.detect(image);
const firstDetectCpuMs = cpuMsSince(firstCpu);

const warmDetectCpuMs: number[] = [];
for (let i = 0; i < repetitions; i++) {
  const start = process.cpuUsage();
  await detector.detect(image);
  warmDetectCpuMs.push(cpuMsSince(start));
}

console.log(JSON.stringify({
  backend: tfState.getBackend(),
  image: [image.width, image.height],
  faces,
  coldLoadMs,
  coldLoadCpuMs,
  firstDetectCpuMs,
  warmDetectCpuMsMedian: median(warmDetectCpuMs),
  tensorsLeftBehind: tfState.memory().numTensors - tensorsBefore,
}));
