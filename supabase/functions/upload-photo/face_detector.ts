/**
 * Face detection with a real model and no native code: @vladmandic/face-api's TinyFaceDetector (a ~190 KB
 * YOLO-style network) on TensorFlow.js's WebAssembly backend. The model and the .wasm binaries are files next
 * to the function (see scripts/bundle_face_model.ts), read with Deno.readFile: nothing is fetched over the
 * network at run time, so it works under the edge runtime's restrictions (no FFI, no subprocesses, 256 MB).
 */
import type * as FaceApi from "@vladmandic/face-api/dist/face-api.esm.js";
import type { FaceBox } from "../_shared/images/image_provider.ts";
import { downscale, fitWithin, type RgbaImage } from "../_shared/images/raster.ts";

export interface DetectedFace {
  /** In pixels of the image passed to `detect`, clamped to its bounds. */
  box: FaceBox;
  /** The detector's score, 0–1. */
  confidence: number;
}

export interface FaceDetector {
  detect(image: RgbaImage): Promise<DetectedFace[]>;
}

export interface FaceDetectorOptions {
  /** The folder holding the model and the .wasm files (a `file:` URL ending in `/`). */
  modelDir: URL;
  /** The square side the network sees; a multiple of 32. Larger finds smaller faces but costs more CPU. */
  inputSize?: number;
  /** Detections scoring below this are dropped. */
  scoreThreshold?: number;
}

/**
 * The model folder next to this module, shipped with the function as static files (config.toml); written by
 * scripts/bundle_face_model.ts, not committed.
 */
export const BUNDLED_MODEL_DIR = new URL("./face_model/", import.meta.url);

/** The files scripts/bundle_face_model.ts copies into the model folder. */
export const FACE_MODEL_FILES = {
  manifest: "tiny_face_detector_model-weights_manifest.json",
  weights: "tiny_face_detector_model.bin",
  wasm: "tfjs-backend-wasm.wasm",
  wasmSimd: "tfjs-backend-wasm-simd.wasm",
} as const;

const DEFAULT_INPUT_SIZE = 416;
const DEFAULT_SCORE_THRESHOLD = 0.5;

/**
 * The parts of the tfjs API we use that face-api's type declarations do not re-export (it bundles the whole of
 * tfjs, but declares only the ops its own code calls).
 */
interface TfRuntime {
  setPlatform(name: string, platform: TfPlatform): void;
  setWasmPaths(prefix: string, usePlatformFetch: boolean): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  env(): { set(flag: string, value: boolean): void };
  tensor3d(values: Int32Array, shape: [number, number, number], dtype: "int32"): FaceApi.tf.Tensor3D;
  io: {
    decodeWeights(buffer: ArrayBuffer, specs: WeightSpec[]): FaceApi.tf.NamedTensorMap;
  };
}

interface TfPlatform {
  fetch(path: string): Promise<Response>;
  now(): number;
  encode(text: string, encoding: string): Uint8Array;
  decode(bytes: Uint8Array, encoding: string): string;
  isTypedArray(value: unknown): value is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** tfjs and face-api, started once per process: tfjs keeps one engine (backend, tensors) for the process. */
interface Runtime {
  faceapi: typeof FaceApi;
  tf: TfRuntime;
  modelDir: string;
}

let runtime: Promise<Runtime> | undefined;
/** The tail of the line of detections: they run one after another because they share tfjs's engine. */
let detectionQueue: Promise<unknown> = Promise.resolve();

/**
 * Loads the model and, the first time, starts the WebAssembly backend. The caller keeps the promise for the
 * function instance's lifetime; loading again only re-reads the weights.
 */
export async function loadFaceDetector(options: FaceDetectorOptions): Promise<FaceDetector> {
  const inputSize = options.inputSize ?? DEFAULT_INPUT_SIZE;
  const scoreThreshold = options.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  if (!options.modelDir.href.endsWith("/")) throw new Error("modelDir must be a folder URL ending in '/'");
  const { faceapi, tf, modelDir } = await startRuntimeOnce(options.modelDir);
  if (modelDir !== options.modelDir.href) {
    throw new Error(
      `tfjs already runs on the WebAssembly files in ${modelDir}; one model folder per process`,
    );
  }
  const network = new faceapi.TinyFaceDetector();
  network.loadFromWeightMap(await readWeightMap(tf, options.modelDir));
  const detectorOptions = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold });
  return {
    detect(image: RgbaImage): Promise<DetectedFace[]> {
      const run = detectionQueue.then(() => detectFaces(tf, network, image, inputSize, detectorOptions));
      detectionQueue = run.catch(() => undefined);
      return run;
    },
  };
}

function startRuntimeOnce(modelDir: URL): Promise<Runtime> {
  runtime ??= startRuntime(modelDir).catch((error) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/**
 * Imports face-api (with its bundled tfjs) and initialises the WebAssembly backend from the model folder.
 *
 * tfjs decides it runs on Node when a global `process` exists, which Deno provides. On that path it builds its
 * platform from Node's `util` module, which fails under Deno at import ("TextEncoder is not a constructor"),
 * and the backend's Emscripten loader would take its Node branch too. So the global is hidden while tfjs makes
 * those decisions (module evaluation and backend start: about 60 ms, once per instance; other code running in
 * that window sees no `process` either), and a platform built on web APIs replaces the one it would pick.
 */
async function startRuntime(modelDir: URL): Promise<Runtime> {
  const restoreProcess = hideGlobalProcess();
  try {
    const faceapi = await import("@vladmandic/face-api/dist/face-api.esm.js");
    const tf = faceapi.tf as unknown as TfRuntime;
    tf.setPlatform("talecraft-deno", webPlatform());
    // No Web Workers or SharedArrayBuffer on the edge runtime: use the single-threaded binaries.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    tf.setWasmPaths(modelDir.href, true);
    if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs WebAssembly backend did not start");
    await tf.ready();
    faceapi.env.setEnv(tensorOnlyEnvironment());
    return { faceapi, tf, modelDir: modelDir.href };
  } finally {
    restoreProcess();
  }
}

function hideGlobalProcess(): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
  if (!descriptor?.configurable) return () => {};
  delete (globalThis as { process?: unknown }).process;
  return () => Object.defineProperty(globalThis, "process", descriptor);
}

/** tfjs's platform hooks on web APIs; its fetch serves only local files, so nothing reaches the network. */
function webPlatform(): TfPlatform {
  return {
    async fetch(path: string): Promise<Response> {
      const url = new URL(path);
      if (url.protocol !== "file:") {
        throw new Error(`the face detector reads local files only, not ${url.protocol}`);
      }
      return new Response(await Deno.readFile(url), { headers: { "content-type": "application/wasm" } });
    },
    now: () => performance.now(),
    encode: (text: string) => new TextEncoder().encode(text),
    decode: (bytes: Uint8Array, encoding: string) => new TextDecoder(encoding).decode(bytes),
    isTypedArray: (value: unknown): value is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray =>
      value instanceof Float32Array || value instanceof Int32Array || value instanceof Uint8Array ||
      value instanceof Uint8ClampedArray,
  };
}

/**
 * face-api checks its inputs against the DOM's media classes before accepting a tensor; without a DOM these
 * are classes nothing is an instance of, and the file hooks refuse because the weights are loaded here.
 */
function tensorOnlyEnvironment(): FaceApi.Environment {
  class Unavailable {
    constructor() {
      throw new Error("face-api is given tensors only: there is no DOM here");
    }
  }
  const refuse = () =>
    Promise.reject(new Error("face-api reads no files: the model is loaded by face_detector.ts"));
  const unavailable = Unavailable as never;
  return {
    Canvas: unavailable,
    CanvasRenderingContext2D: unavailable,
    Image: unavailable,
    ImageData: unavailable,
    Video: unavailable,
    createCanvasElement: unavailable,
    createImageElement: unavailable,
    createVideoElement: unavailable,
    fetch: refuse,
    readFile: refuse,
  };
}

async function readWeightMap(tf: TfRuntime, modelDir: URL): Promise<FaceApi.tf.NamedTensorMap> {
  const manifest: WeightsManifestGroup[] = JSON.parse(
    await Deno.readTextFile(new URL(FACE_MODEL_FILES.manifest, modelDir)),
  );
  const weights = await Deno.readFile(new URL(FACE_MODEL_FILES.weights, modelDir));
  const [group] = manifest;
  if (manifest.length !== 1 || group.paths.length !== 1 || group.paths[0] !== FACE_MODEL_FILES.weights) {
    throw new Error(`unexpected weights manifest: expected one group in ${FACE_MODEL_FILES.weights}`);
  }
  return tf.io.decodeWeights(weights.buffer, group.weights);
}

async function detectFaces(
  tf: TfRuntime,
  network: FaceApi.TinyFaceDetector,
  image: RgbaImage,
  inputSize: number,
  options: FaceApi.TinyFaceDetectorOptions,
): Promise<DetectedFace[]> {
  // The network sees `inputSize` pixels a side whatever it is given; shrinking here with an area average
  // (instead of tfjs's bilinear resize of the full image) keeps a 2048 px photo's tensor small and unaliased.
  const networkImage = shrinkForNetwork(image, inputSize);
  const tensor = tf.tensor3d(rgbValues(networkImage), [networkImage.height, networkImage.width, 3], "int32");
  let detections: FaceApi.FaceDetection[];
  try {
    detections = await network.locateFaces(tensor, options);
  } finally {
    tensor.dispose();
  }
  const scaleX = image.width / networkImage.width;
  const scaleY = image.height / networkImage.height;
  return detections.map((detection) => ({
    box: clampBox(
      {
        x: detection.box.x * scaleX,
        y: detection.box.y * scaleY,
        width: detection.box.width * scaleX,
        height: detection.box.height * scaleY,
      },
      image,
    ),
    confidence: detection.score,
  }));
}

function shrinkForNetwork(image: RgbaImage, inputSize: number): RgbaImage {
  const size = fitWithin(image.width, image.height, inputSize);
  return downscale(image, size.width, size.height);
}

function rgbValues(image: RgbaImage): Int32Array {
  const pixels = image.width * image.height;
  const values = new Int32Array(pixels * 3);
  for (let pixel = 0, source = 0, target = 0; pixel < pixels; pixel++, source += 4, target += 3) {
    values[target] = image.data[source];
    values[target + 1] = image.data[source + 1];
    values[target + 2] = image.data[source + 2];
  }
  return values;
}

/** Whole pixels inside the image: the network's boxes can reach past the edges of a face cut off by the frame. */
function clampBox(box: FaceBox, image: { width: number; height: number }): FaceBox {
  const clamp = (value: number, limit: number) => Math.min(Math.max(Math.round(value), 0), limit);
  const left = clamp(box.x, image.width);
  const top = clamp(box.y, image.height);
  const right = clamp(box.x + box.width, image.width);
  const bottom = clamp(box.y + box.height, image.height);
  return { x: left, y: top, width: right - left, height: bottom - top };
}
