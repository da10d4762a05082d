import assert from "node:assert/strict";
import { parseRange } from "./object_responses.ts";
import { StorageApiError } from "./storage_errors.ts";

Deno.test("ranges: start-end, open-ended and suffix ranges within the object", () => {
  assert.equal(parseRange(null, 10), null);
  assert.deepEqual(parseRange("bytes=2-5", 10), { start: 2, end: 5 });
  assert.deepEqual(parseRange("bytes=7-", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=8-100", 10), { start: 8, end: 9 });
});

Deno.test("ranges: unsatisfiable or malformed ranges are Storage's InvalidRange", () => {
  for (const header of ["bytes=10-", "bytes=5-2", "bytes=-", "items=0-1", "bytes=0-1,3-4"]) {
    assert.throws(() => parseRange(header, 10), (error: unknown) => {
      assert.ok(error instanceof StorageApiError);
      assert.deepEqual(error.body(), {
        statusCode: "400",
        code: "InvalidRange",
        error: "invalid_range",
        message: "invalid range provided",
      });
      return true;
    });
  }
});
