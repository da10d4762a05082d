import assert from "node:assert/strict";
import { DEFAULT_PRINT_PROFILE, pageBoxes, PRINT_PROFILES, printProfile } from "./print_profiles.ts";

Deno.test("the default profile is a 10 in square: a 738 pt sheet, trimmed 9 pt in, text 45 pt in", () => {
  assert.equal(DEFAULT_PRINT_PROFILE.id, "square-10in");
  assert.deepEqual(pageBoxes(DEFAULT_PRINT_PROFILE), {
    media: { x: 0, y: 0, width: 738, height: 738 },
    trim: { x: 9, y: 9, width: 720, height: 720 },
    safe: { x: 45, y: 45, width: 648, height: 648 },
  });
  assert.equal(DEFAULT_PRINT_PROFILE.pageCountMultiple, 1);
});

Deno.test("the saddle-stitch profile is an 8.5 in square whose page count is a multiple of 4", () => {
  const profile = PRINT_PROFILES["lulu-8.5in-saddle-stitch"];
  assert.deepEqual(pageBoxes(profile), {
    media: { x: 0, y: 0, width: 630, height: 630 },
    trim: { x: 9, y: 9, width: 612, height: 612 },
    safe: { x: 45, y: 45, width: 540, height: 540 },
  });
  assert.equal(profile.pageCountMultiple, 4);
});

Deno.test("every profile asks for 300 ppi pictures", () => {
  for (const profile of Object.values(PRINT_PROFILES)) assert.equal(profile.minImagePpi, 300);
});

Deno.test("a profile is found by its id, and an unknown id is refused naming the known ones", () => {
  assert.equal(printProfile("lulu-8.5in-saddle-stitch"), PRINT_PROFILES["lulu-8.5in-saddle-stitch"]);
  assert.throws(
    () => printProfile("a4-portrait"),
    (error: Error) =>
      error instanceof RangeError && error.message.includes("square-10in, lulu-8.5in-saddle-stitch"),
  );
  assert.throws(() => printProfile("toString"), RangeError);
});
