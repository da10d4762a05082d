/**
 * The real detector on the real model (bundled by scripts/bundle_face_model.ts) and the licensed fixture
 * photos: no database, no platform. The last tests run it the way the edge runtime would.
 */
import assert from "node:assert/strict";
import { bundleFaceModel } from "../../../scripts/bundle_face_model.ts";
import { HEAD_AND_SHOULDERS, largePhoto, noFace, oneFace } from "../../../tests/support/photo_fixtures.ts";
import { Framebuffer } from "../_shared/images/imagescript_framebuffer.ts";
import type { FaceBox } from "../_shared/images/image_provider.ts";
import type { RgbaImage } from "../_shared/images/raster.ts";
import { runRestricted } from "../_shared/testing/restricted_run.ts";
import { BUNDLED_MODEL_DIR, loadFaceDetector } from "./face_detector.ts";

await bundleFaceModel();
const detector = await loadFaceDetector({ modelDir: BUNDLED_MODEL_DIR });

function centre(box: FaceBox): [number, number] {
  return [box.x + box.width / 2, box.y + box.height / 2];
}

function assertInside(box: FaceBox, image: { width: number; height: number }) {
  assert.ok(box.x >= 0 && box.y >= 0, JSON.stringify(box));
  assert.ok(box.x + box.width <= image.width && box.y + box.height <= image.height, JSON.stringify(box));
  assert.ok([box.x, box.y, box.width, box.height].every(Number.isInteger), JSON.stringify(box));
}

Deno.test("face detector: finds the one face in the head-and-shoulders photo, boxed around the face", async () => {
  const { image } = await oneFace();
  const faces = await detector.detect(image);
  assert.equal(faces.length, 1, JSON.stringify(faces));
  const [face] = faces;
  assert.ok(face.confidence > 0.9 && face.confidence <= 1, `confidence ${face.confidence}`);
  assertInside(face.box, image);
  // The astronaut's face is in the upper middle of the crop, about 100 px across.
  const [x, y] = centre(face.box);
  assert.ok(x > 90 && x < 150 && y > 60 && y < 130, `centre ${x},${y}`);
  assert.ok(face.box.width > 80 && face.box.width < 140, `width ${face.box.width}`);
});

Deno.test("face detector: finds no face in the photo of a cat", async () => {
  assert.deepEqual(await detector.detect((await noFace()).image), []);
});

Deno.test("face detector: boxes are in the pixels of the image given, at 1024 and 2048 px", async () => {
  const [small] = await detector.detect((await oneFace()).image);
  for (const side of [1024, 2048]) {
    const { image } = await largePhoto(side);
    const faces = await detector.detect(image);
    assert.equal(faces.length, 1, JSON.stringify(faces));
    assertInside(faces[0].box, image);
    const scale = side / HEAD_AND_SHOULDERS.width;
    const [x, y] = centre(faces[0].box);
    const [expectedX, expectedY] = centre(small.box).map((value) => value * scale);
    // The same face, so the same place up to the detector's jitter (a few % of the face's size).
    assert.ok(Math.abs(x - expectedX) < 0.1 * faces[0].box.width, `x ${x} vs ${expectedX}`);
    assert.ok(Math.abs(y - expectedY) < 0.1 * faces[0].box.height, `y ${y} vs ${expectedY}`);
  }
});

Deno.test("face detector: a face cut by the frame gets a box clamped to the image", async () => {
  const { image } = await oneFace();
  // Cutting away the crop's left 80 px and top 60 px cuts through the face (x ≈ 60–165, y ≈ 45–150), so the
  // network's box reaches past the top-left corner.
  const frame = new Framebuffer(image.width, image.height, image.data.slice()).cut("box", 80, 60, 160, 180);
  const cut: RgbaImage = {
    width: frame.width,
    height: frame.height,
    data: frame.u8 as Uint8Array<ArrayBuffer>,
  };
  const faces = await detector.detect(cut);
  assert.equal(faces.length, 1, "the cut face should still be found");
  assertInside(faces[0].box, cut);
  assert.deepEqual([faces[0].box.x, faces[0].box.y], [0, 0]);
});

Deno.test("face detector: concurrent detections each get their own answer", async () => {
  const [withFace, withoutFace] = [(await oneFace()).image, (await noFace()).image];
  const results = await Promise.all(
    [withFace, withoutFace, withFace, withoutFace].map((image) => detector.detect(image)),
  );
  assert.deepEqual(results.map((faces) => faces.length), [1, 0, 1, 0]);
  assert.deepEqual(results[0], results[2]);
});

Deno.test("face detector: twenty detections leave no tensors behind", async () => {
  const { tf } = await import("@vladmandic/face-api/dist/face-api.esm.js");
  const memory = () => (tf as unknown as { memory(): { numTensors: number } }).memory().numTensors;
  const { image } = await oneFace();
  await detector.detect(image);
  const before = memory();
  for (let i = 0; i < 20; i++) await detector.detect(image);
  assert.equal(memory(), before);
});

Deno.test("face detector: loading refuses a model folder URL without its trailing slash", async () => {
  await assert.rejects(
    loadFaceDetector({ modelDir: new URL("./face_model", import.meta.url) }),
    /ending in '\/'/,
  );
});

Deno.test("edge runtime: the detector loads and finds the face on WebAssembly, with no FFI, no subprocess, no network and 256 MB", async () => {
  const run = await runRestricted(new URL("./testdata/edge_face_smoke.ts", import.meta.url), {
    stdin: (await oneFace()).jpeg,
  });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  assert.equal(result.backend, "wasm");
  assert.equal(result.faces.length, 1, run.stdout);
  assert.ok(result.faces[0].confidence > 0.9, run.stdout);
  assert.equal(result.tensorsLeftBehind, 0);
});
