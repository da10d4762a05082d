/**
 * Copies the face detector's model and tfjs's WebAssembly binaries out of Deno's npm cache into
 * supabase/functions/upload-photo/face_model/ (gitignored), where the function reads them at run time and the
 * deploy ships them as static files. Third-party binaries are never committed, so this runs before the
 * function is served, tested or deployed.
 *
 * CLI: deno run -A scripts/bundle_face_model.ts [target folder]
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLED_MODEL_DIR, FACE_MODEL_FILES } from "../supabase/functions/upload-photo/face_detector.ts";
import { denoCacheDirectory } from "./deno_cache_directory.ts";
import { sha256Hex } from "./sha256_hex.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const defaultTargetDir = fileURLToPath(BUNDLED_MODEL_DIR);

/** Which package each file comes from; the version is the one the import map pins. */
interface BundledFile {
  name: string;
  packageName: string;
  pathInPackage: string;
  /**
   * Pinned so that a changed package (another version, a tampered cache) stops the build instead of shipping
   * unreviewed binaries. The .wasm files must match the tfjs that face-api bundles (4.22.0 in face-api 1.7.15).
   */
  sha256: string;
}

const FACE_API = "@vladmandic/face-api";
const TFJS_WASM = "@tensorflow/tfjs-backend-wasm";

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

/** Idempotent (files already present with the pinned hash are left alone) and safe to run concurrently. */
export async function bundleFaceModel(targetDir: string = defaultTargetDir): Promise<void> {
  const missing: BundledFile[] = [];
  for (const file of BUNDLED_FILES) {
    if (!(await hasHash(join(targetDir, file.name), file.sha256))) missing.push(file);
  }
  // Every start and test run calls this: when the files are in place, Deno's cache is not consulted at all.
  if (missing.length === 0) return;
  await ensurePackagesCached();
  const npmCache = join(await denoCacheDirectory(), "npm", "registry.npmjs.org");
  const versions = await importMapVersions();
  await Deno.mkdir(targetDir, { recursive: true });
  for (const file of missing) {
    const source = join(npmCache, file.packageName, versions[file.packageName], file.pathInPackage);
    const bytes = await Deno.readFile(source).catch((error) => {
      throw new Error(`${file.name} is missing from Deno's npm cache (${source}): ${error}`);
    });
    const actual = await sha256Hex(bytes);
    if (actual !== file.sha256) {
      throw new Error(
        `${source} has SHA-256 ${actual}, not the pinned ${file.sha256}: the package changed; review it and ` +
          `update the hash in scripts/bundle_face_model.ts`,
      );
    }
    await writeAtomically(join(targetDir, file.name), bytes);
  }
}

/**
 * Importing a small, side-effect-free module of each package makes Deno download the whole package into its
 * cache (a no-op when it is there), through the import map and the lockfile like any other import.
 */
async function ensurePackagesCached(): Promise<void> {
  await import("@vladmandic/face-api/dist/tfjs.version.js");
  await import("@tensorflow/tfjs-backend-wasm/dist/version.js");
}

/** The versions deno.json pins, e.g. "npm:/@vladmandic/face-api@1.7.15/" → 1.7.15. */
async function importMapVersions(): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(join(repoRoot, "deno.json")));
  const versions: Record<string, string> = {};
  for (const packageName of [FACE_API, TFJS_WASM]) {
    const specifier: string | undefined = config.imports?.[`${packageName}/`];
    const version = specifier?.match(/@(\d+\.\d+\.\d+)\/$/)?.[1];
    if (!version) throw new Error(`deno.json's import map has no pinned version for ${packageName}/`);
    versions[packageName] = version;
  }
  return versions;
}

async function hasHash(path: string, sha256: string): Promise<boolean> {
  try {
    return await sha256Hex(await Deno.readFile(path)) === sha256;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** A reader never sees a half-written file: write beside the target, then rename over it. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

if (import.meta.main) {
  await bundleFaceModel(Deno.args[0]);
  console.log(`face model bundled in ${Deno.args[0] ?? defaultTargetDir}`);
}
