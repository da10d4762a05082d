/**
 * The fixture photos mean what their names say: each one, uploaded as its JPEG and decoded, gets its verdict
 * from the real detector and the face rules. If a fixture drifts (another sample image, another model, a
 * changed threshold), this fails here instead of as a puzzling upload test.
 */
import assert from "node:assert/strict";
import { decodeJpeg } from "../../supabase/functions/_shared/images/image_decoding.ts";
import { BUNDLED_MODEL_DIR, loadFaceDetector } from "../../supabase/functions/upload-photo/face_detector.ts";
import { type FaceVerdict, judgeFaces } from "../../supabase/functions/upload-photo/face_rules.ts";
import { bundleFaceModel } from "../../scripts/bundle_face_model.ts";
import {
  type FixturePhoto,
  largePhoto,
  noFace,
  oneFace,
  tinyFace,
  twoFaces,
  uncroppedPortrait,
} from "../support/photo_fixtures.ts";

await bundleFaceModel();
const detector = await loadFaceDetector({ modelDir: BUNDLED_MODEL_DIR });

async function verdictOf(fixture: Promise<FixturePhoto>): Promise<FaceVerdict> {
  const decoded = await decodeJpeg((await fixture).jpeg);
  return judgeFaces(await detector.detect(decoded), decoded);
}

Deno.test("photo fixtures: oneFace is accepted with a face of 15–25% of the image", async () => {
  const verdict = await verdictOf(oneFace());
  assert.equal(verdict.kind, "accepted", JSON.stringify(verdict));
  assert.ok(verdict.areaPercent >= 15 && verdict.areaPercent <= 25, `area ${verdict.areaPercent}%`);
  assert.ok(verdict.face.confidence > 0.9, `confidence ${verdict.face.confidence}`);
});

Deno.test("photo fixtures: uncroppedPortrait is face_too_small with a face of about 5%", async () => {
  const verdict = await verdictOf(uncroppedPortrait());
  assert.equal(verdict.kind, "face_too_small", JSON.stringify(verdict));
  assert.ok(verdict.areaPercent >= 4 && verdict.areaPercent <= 6, `area ${verdict.areaPercent}%`);
});

Deno.test("photo fixtures: twoFaces is multiple_faces with two faces", async () => {
  assert.deepEqual(await verdictOf(twoFaces()), { kind: "multiple_faces", count: 2 });
});

Deno.test("photo fixtures: tinyFace is face_too_small, not no_face", async () => {
  const verdict = await verdictOf(tinyFace());
  assert.equal(verdict.kind, "face_too_small", JSON.stringify(verdict));
  assert.ok(verdict.areaPercent > 1, `area ${verdict.areaPercent}%`);
});

Deno.test("photo fixtures: noFace (the cat) is no_face", async () => {
  assert.deepEqual(await verdictOf(noFace()), { kind: "no_face" });
});

for (const side of [1024, 2048]) {
  Deno.test(`photo fixtures: largePhoto(${side}) is ${side} px and accepted`, async () => {
    const fixture = await largePhoto(side);
    assert.deepEqual([fixture.image.width, fixture.image.height], [side, side]);
    const verdict = await verdictOf(Promise.resolve(fixture));
    assert.equal(verdict.kind, "accepted", JSON.stringify(verdict));
    assert.ok(verdict.areaPercent > 10, `area ${verdict.areaPercent}%`);
  });
}
