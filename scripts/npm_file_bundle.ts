/**
 * Copies files out of pinned npm packages (in Deno's cache) into a function's folder, where the deploy ships them
 * as static files (config.toml `static_files`). Third-party binaries are never committed, so this runs before a
 * function is served, tested or deployed. Every file is checked against a pinned SHA-256, so a changed package
 * (another version, a tampered cache) stops the build instead of shipping unreviewed bytes.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { denoCacheDirectory } from "./deno_cache_directory.ts";
import { sha256Hex } from "./sha256_hex.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export interface BundledFile {
  name: string;
  /** The package as deno.json's import map names it, with a pinned version: "npm:/<package>@<version>/". */
  packageName: string;
  pathInPackage: string;
  sha256: string;
}

/**
 * Idempotent (files already present with the pinned hash are left alone) and safe to run concurrently.
 * `cachePackages` imports a small module of each package, which makes Deno download the packages into its cache.
 */
export async function bundleNpmFiles(
  targetDir: string,
  files: readonly BundledFile[],
  cachePackages: () => Promise<unknown>,
  pinnedIn: string,
): Promise<void> {
  const missing: BundledFile[] = [];
  for (const file of files) {
    if (!(await hasHash(join(targetDir, file.name), file.sha256))) missing.push(file);
  }
  // Every start and test run calls this: when the files are in place, Deno's cache is not consulted at all.
  if (missing.length === 0) return;
  await cachePackages();
  const npmCache = join(await denoCacheDirectory(), "npm", "registry.npmjs.org");
  const versions = await importMapVersions([...new Set(missing.map((file) => file.packageName))]);
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
          `update the hash in ${pinnedIn}`,
      );
    }
    await writeAtomically(join(targetDir, file.name), bytes);
  }
}

/** The versions deno.json pins, e.g. "npm:/@vladmandic/face-api@1.7.15/" → 1.7.15. */
async function importMapVersions(packageNames: string[]): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(join(repoRoot, "deno.json")));
  const versions: Record<string, string> = {};
  for (const packageName of packageNames) {
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
