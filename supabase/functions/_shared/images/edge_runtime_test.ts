import assert from "node:assert/strict";
import { runRestricted } from "../testing/restricted_run.ts";

Deno.test("edge runtime: painting, watermarking and WebP intake need no FFI, no subprocess, 256 MB", async () => {
  const run = await runRestricted(new URL("./testdata/edge_smoke.ts", import.meta.url));
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(result.page, [1024, 1024]);
  assert.deepEqual([result.fromBytes.width, result.fromBytes.height], [1024, 1024]);
  assert.deepEqual([result.fromPixels.width, result.fromPixels.height], [1024, 1024]);
  assert.deepEqual(result.normalisedWebp, [300, 200, "webp"]);
});

Deno.test("edge runtime: the same restrictions do refuse imagescript's native entry point", async () => {
  const run = await runRestricted(new URL("./testdata/native_entry_probe.ts", import.meta.url));
  assert.notEqual(run.code, 0, "importing the native codec should fail under --deny-ffi");
  assert.ok(!run.stdout.includes("loaded"));
});
