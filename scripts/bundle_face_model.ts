/**
 * Copies the face detector's model and tfjs's WebAssembly binaries out of Deno's npm cache into
 * supabase/functions/upload-photo/face_model/ (gitignored), where the function reads them at run time and the
 * deploy ships them as static files (see npm_file_bundle.ts).
 *
 * CLI: deno run -A scripts/bundle_face_model.ts [target folder]
 */
import { fileURLToPath } from "node:url";
import { BUNDLED_MODEL_DIR, FACE_MODEL_FILES } from "../supabase/functions/upload-photo/face_detector.ts";
import { type BundledFile, bundleNpmFiles } from "./npm_file_bundle.ts";

const defaultTargetDir = fileURLToPath(BUNDLED_MODEL_DIR);

const FACE_API = "@vladmandic/face-api";
const TFJS_WASM = "@tensorflow/tfjs-backend-wasm";

// The .wasm files must match the tfjs that face-api bundles (4.22.0 in face-api 1.7.15).
const BUNDLED_FILES: BundledFile[] = [
  {
    name: FACE_MODEL_FILES.manifest,
    packageName: FACE_API,
    pathInPackage: `model/${FACE_MODEL_FILES.manifest}`,
    sha256: "5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5",
  },
  {
    name: FACE_MODEL_FILES.weights,
    packageName: FACE_API,
    pathInPackage: `model/${FACE_MODEL_FILES.weights}`,
    sha256: "b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871",
  },
  {
    name: FACE_MODEL_FILES.wasm,
    packageName: TFJS_WASM,
    pathInPackage: `dist/${FACE_MODEL_FILES.wasm}`,
    sha256: "70a5d516060464e5269f01c74bac1772d6b8ab6cb612acf16b5cdaf61f78d892",
  },
  {
    name: FACE_MODEL_FILES.wasmSimd,
    packageName: TFJS_WASM,
    pathInPackage: `dist/${FACE_MODEL_FILES.wasmSimd}`,
    sha256: "77ebb28a6d34f371dbbf2086b7f2de8994acd8ea5a3cf1fa24d2c26c840cac7b",
  },
];

/** Idempotent and safe to run concurrently (see bundleNpmFiles). */
export async function bundleFaceModel(targetDir: string = defaultTargetDir): Promise<void> {
  await bundleNpmFiles(targetDir, BUNDLED_FILES, cachePackages, "scripts/bundle_face_model.ts");
}

/** A small, side-effect-free module of each package: importing it caches the whole package. */
async function cachePackages(): Promise<void> {
  await import("@vladmandic/face-api/dist/tfjs.version.js");
  await import("@tensorflow/tfjs-backend-wasm/dist/version.js");
}

if (import.meta.main) {
  await bundleFaceModel(Deno.args[0]);
  console.log(`face model bundled in ${Deno.args[0] ?? defaultTargetDir}`);
}
