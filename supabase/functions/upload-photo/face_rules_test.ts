import assert from "node:assert/strict";
import type { DetectedFace } from "./face_detector.ts";
import { judgeFaces } from "./face_rules.ts";

const image = { width: 100, height: 100 };

function face(width: number, height: number, confidence = 0.9, x = 0, y = 0): DetectedFace {
  return { box: { x, y, width, height }, confidence };
}

Deno.test("face rules: no face is refused as no_face", () => {
  assert.deepEqual(judgeFaces([], image), { kind: "no_face" });
});

Deno.test("face rules: one face covering 36% of the image is accepted with its area", () => {
  const only = face(60, 60, 0.97);
  assert.deepEqual(judgeFaces([only], image), { kind: "accepted", face: only, areaPercent: 36 });
});

Deno.test("face rules: a second face of exactly 25% of the largest's area makes multiple_faces", () => {
  assert.deepEqual(judgeFaces([face(40, 40), face(20, 20)], image), { kind: "multiple_faces", count: 2 });
});

Deno.test("face rules: a second face just under 25% of the largest's area is ignored", () => {
  const largest = face(40, 40);
  const verdict = judgeFaces([face(20, 19.9), largest], image);
  assert.deepEqual(verdict, { kind: "accepted", face: largest, areaPercent: 16 });
});

Deno.test("face rules: the count names only the prominent faces, not the ignored small ones", () => {
  const faces = [face(40, 40), face(30, 30), face(35, 35), face(5, 5), face(10, 10)];
  assert.deepEqual(judgeFaces(faces, image), { kind: "multiple_faces", count: 3 });
});

Deno.test("face rules: the largest face is chosen whatever the detector's order", () => {
  const largest = face(50, 40, 0.6, 10, 20);
  const verdict = judgeFaces([face(8, 8, 0.99), largest, face(4, 4, 0.95)], image);
  assert.deepEqual(verdict, { kind: "accepted", face: largest, areaPercent: 20 });
});

Deno.test("face rules: a face of exactly 10% of the image is accepted", () => {
  const tenPercent = face(10, 100);
  assert.deepEqual(judgeFaces([tenPercent], image), { kind: "accepted", face: tenPercent, areaPercent: 10 });
});

Deno.test("face rules: a face just under 10% is face_too_small and never reported as 10%", () => {
  assert.deepEqual(judgeFaces([face(9.98, 100)], image), { kind: "face_too_small", areaPercent: 9.9 });
});

Deno.test("face rules: a small face reports its area with one decimal", () => {
  assert.deepEqual(judgeFaces([face(43, 10)], image), { kind: "face_too_small", areaPercent: 4.3 });
});

Deno.test("face rules: an accepted face's area is rounded to one decimal", () => {
  const verdict = judgeFaces([face(33, 33)], { width: 80, height: 90 });
  assert.equal(verdict.kind, "accepted");
  assert.equal(verdict.kind === "accepted" && verdict.areaPercent, 15.1); // 1089 / 7200 = 15.125%
});

Deno.test("face rules: multiple_faces wins over face_too_small when both apply", () => {
  assert.deepEqual(judgeFaces([face(5, 5), face(5, 5)], image), { kind: "multiple_faces", count: 2 });
});
