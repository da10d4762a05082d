import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { StorageApiError } from "./storage_errors.ts";
import {
  DEFAULT_FILE_SIZE_LIMIT,
  effectiveSizeLimit,
  globalFileSizeLimit,
  mustBeAllowedMimeType,
  mustBeValidMimeTypeList,
  parseBucketSize,
  parseConfigSize,
} from "./upload_limits.ts";

function refusal(run: () => unknown): StorageApiError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StorageApiError);
    return error;
  }
  assert.fail("expected a StorageApiError");
}

Deno.test("config sizes are binary, as the Supabase CLI reads them", () => {
  assert.equal(parseConfigSize("50MiB"), 50 * 1024 * 1024);
  assert.equal(parseConfigSize("50MB"), 50 * 1024 * 1024);
  assert.equal(parseConfigSize("1GiB"), 1024 ** 3);
  assert.equal(parseConfigSize("512kb"), 512 * 1024);
  assert.equal(parseConfigSize("2048"), 2048);
  assert.equal(parseConfigSize(4096), 4096);
  assert.throws(() => parseConfigSize("lots"));
});

Deno.test("the global limit comes from [storage] file_size_limit, 50 MiB when unset", () => {
  assert.equal(globalFileSizeLimit({}), DEFAULT_FILE_SIZE_LIMIT);
  assert.equal(globalFileSizeLimit(parse(`[api]\nport = 54321\n`)), DEFAULT_FILE_SIZE_LIMIT);
  assert.equal(globalFileSizeLimit(parse(`[storage]\nfile_size_limit = "5MiB"\n`)), 5 * 1024 * 1024);
});

Deno.test("bucket size limits use Storage's decimal units and may not exceed the global limit", () => {
  assert.equal(parseBucketSize("2MB", 50e6), 2e6);
  assert.equal(parseBucketSize("1.5kb", 50e6), 1500);
  assert.equal(parseBucketSize(1024, 50e6), 1024);
  assert.deepEqual(
    refusal(() => parseBucketSize("2 parsecs", 50e6)).body().message,
    "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B",
  );
  assert.equal(refusal(() => parseBucketSize("1GB", 50e6)).body().code, "EntityTooLarge");
});

Deno.test("the smaller of the bucket and global limits applies", () => {
  assert.equal(effectiveSizeLimit(null, 100), 100);
  assert.equal(effectiveSizeLimit(10, 100), 10);
  assert.equal(effectiveSizeLimit(1000, 100), 100);
});

Deno.test("allowed mime types match exactly or by type/* wildcard", () => {
  mustBeAllowedMimeType("image/png", ["image/png"]);
  mustBeAllowedMimeType("image/webp", ["text/plain", "image/*"]);
  mustBeAllowedMimeType("text/plain;charset=UTF-8", ["text/plain;charset=UTF-8"]);
  for (const mimeType of ["text/plain", "imagepng", "image/png;charset=x", "application/image"]) {
    const error = refusal(() => mustBeAllowedMimeType(mimeType, ["image/png", "video/*"]));
    assert.deepEqual(error.body(), {
      statusCode: "415",
      code: "InvalidMimeType",
      error: "invalid_mime_type",
      message: `mime type ${mimeType} is not supported`,
    });
    assert.equal(error.httpStatus, 400);
  }
});

Deno.test("a bucket's allowed mime type list must hold mime types", () => {
  mustBeValidMimeTypeList(["image/png", "image/*", "text/plain; charset=utf-8"]);
  assert.equal(refusal(() => mustBeValidMimeTypeList(["not a type"])).body().code, "InvalidMimeType");
});
