import assert from "node:assert/strict";
import { join } from "node:path";
import { FACE_MODEL_FILES } from "../supabase/functions/upload-photo/face_detector.ts";
import { bundleFaceModel } from "./bundle_face_model.ts";

const bundledNames = Object.values(FACE_MODEL_FILES).sort();

async function withTemporaryDir(test: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "face_model_" });
  try {
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("bundle face model: copies the model and the two WebAssembly binaries, and nothing else", async () => {
  await withTemporaryDir(async (dir) => {
    const target = join(dir, "face_model");
    await bundleFaceModel(target);
    const names = (await Array.fromAsync(Deno.readDir(target))).map((entry) => entry.name).sort();
    assert.deepEqual(names, bundledNames);
    const wasm = await Deno.readFile(join(target, FACE_MODEL_FILES.wasm));
    assert.deepEqual([...wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]); // "\0asm"
  });
});

Deno.test("bundle face model: a second run rewrites only the file that no longer has its pinned hash", async () => {
  await withTemporaryDir(async (dir) => {
    await bundleFaceModel(dir);
    const weights = join(dir, FACE_MODEL_FILES.weights);
    const manifest = join(dir, FACE_MODEL_FILES.manifest);
    const original = await Deno.readFile(weights);
    await Deno.writeFile(weights, new Uint8Array([1, 2, 3]));
    const manifestInode = (await Deno.stat(manifest)).ino;

    await bundleFaceModel(dir);

    assert.deepEqual(await Deno.readFile(weights), original);
    assert.equal((await Deno.stat(manifest)).ino, manifestInode, "an intact file is left alone");
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
    assert.deepEqual(names, bundledNames, "no temporary files are left behind");
  });
});
