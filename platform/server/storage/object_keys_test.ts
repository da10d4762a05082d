import assert from "node:assert/strict";
import { isEmptyFolderPlaceholder, isUuid, mustBeValidBucketName, mustBeValidKey } from "./object_keys.ts";
import { StorageApiError } from "./storage_errors.ts";

function refusal(run: () => void): StorageApiError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StorageApiError);
    return error;
  }
  assert.fail("expected a StorageApiError");
}

Deno.test("object keys: S3-safe names with folders are accepted", () => {
  for (
    const key of [
      "a.png",
      "user-1/folder/cat (1).png",
      "x/y/z/.emptyFolderPlaceholder",
      "a b/c&d=e+f,g;h:i@j$k",
    ]
  ) {
    mustBeValidKey(key);
  }
});

Deno.test("object keys: path traversal, absolute paths, empty segments and NUL are refused as InvalidKey", () => {
  for (
    const key of [
      "../etc/passwd",
      "a/../../b",
      "a/./b",
      "/absolute",
      "a//b",
      "trailing/",
      "..",
      ".",
      "a\0b",
      "",
    ]
  ) {
    const error = refusal(() => mustBeValidKey(key));
    assert.deepEqual(error.body(), {
      statusCode: "400",
      code: "InvalidKey",
      error: "InvalidKey",
      message: `Invalid key: ${key}`,
    });
    assert.equal(error.httpStatus, 400);
  }
});

Deno.test("object keys: characters outside Storage's alphabet are refused", () => {
  for (const key of ["a#b", "a%b", "back\\slash", "tab\there", "ü.png"]) refusal(() => mustBeValidKey(key));
});

Deno.test("bucket names: slashes and dot-only names are refused as InvalidBucketName", () => {
  mustBeValidBucketName("avatars");
  mustBeValidBucketName("my.bucket-1");
  for (const name of ["a/b", "..", ".", "", "x".repeat(101), "#staging"]) {
    assert.deepEqual(refusal(() => mustBeValidBucketName(name)).body(), {
      statusCode: "400",
      code: "InvalidBucketName",
      error: "Invalid Input",
      message: "Bucket name invalid",
    });
  }
});

Deno.test("owner ids: only uuids go to the legacy owner column", () => {
  assert.equal(isUuid("0b0c5b4e-3f6a-4e5e-9d1e-2a7a0c1d2e3f"), true);
  assert.equal(isUuid("service-account"), false);
});

Deno.test("folder placeholders are recognised by their file name", () => {
  assert.equal(isEmptyFolderPlaceholder("a/b/.emptyFolderPlaceholder"), true);
  assert.equal(isEmptyFolderPlaceholder("a/b/c.png"), false);
});
