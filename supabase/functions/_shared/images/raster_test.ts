import assert from "node:assert/strict";
import { createRgbaImage, downscale, fitWithin } from "./raster.ts";

Deno.test("raster: fitWithin keeps the aspect ratio and leaves small images alone", () => {
  assert.deepEqual(fitWithin(3075, 3075, 1024), { width: 1024, height: 1024 });
  assert.deepEqual(fitWithin(2000, 1000, 1024), { width: 1024, height: 512 });
  assert.deepEqual(fitWithin(800, 600, 1024), { width: 800, height: 600 });
});

Deno.test("raster: downscale averages the source pixels each output pixel covers", () => {
  const image = createRgbaImage(4, 2);
  // Left 2×2 block: 0 and 100 alternating; right block: all 200.
  image.data.set([0, 0, 0, 255, 100, 100, 100, 255, 200, 200, 200, 255, 200, 200, 200, 255], 0);
  image.data.set([100, 100, 100, 255, 0, 0, 0, 255, 200, 200, 200, 255, 200, 200, 200, 255], 16);
  const half = downscale(image, 2, 1);
  assert.deepEqual(Array.from(half.data), [50, 50, 50, 255, 200, 200, 200, 255]);
});

Deno.test("raster: downscale refuses to enlarge", () => {
  assert.throws(() => downscale(createRgbaImage(2, 2), 3, 3), RangeError);
});
