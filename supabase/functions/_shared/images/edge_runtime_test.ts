import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("../../../../", import.meta.url));

async function denoCacheDirectory(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  return JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
}

/** Runs a script the way the local platform runs edge functions: no FFI, no subprocesses, a 256 MB heap. */
async function runRestricted(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--deny-ffi",
      "--deny-run",
      `--allow-read=${projectRoot},${await denoCacheDirectory()}`,
      "--v8-flags=--max-old-space-size=256",
      fileURLToPath(new URL(script, import.meta.url)),
    ],
    cwd: projectRoot,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr) };
}

Deno.test("edge runtime: the image module paints and watermarks with no FFI, no subprocess and 256 MB", async () => {
  const run = await runRestricted("./testdata/edge_smoke.ts");
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(result.page, [1024, 1024]);
  assert.deepEqual([result.fromBytes.width, result.fromBytes.height], [1024, 1024]);
  assert.deepEqual([result.fromPixels.width, result.fromPixels.height], [1024, 1024]);
});

Deno.test("edge runtime: the same restrictions do refuse imagescript's native entry point", async () => {
  const run = await runRestricted("./testdata/native_entry_probe.ts");
  assert.notEqual(run.code, 0, "importing the native codec should fail under --deny-ffi");
  assert.ok(!run.stdout.includes("loaded"));
});
