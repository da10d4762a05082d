import assert from "node:assert/strict";
import { fromDatabaseError, StorageApiError, storageErrors } from "./storage_errors.ts";

function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: "PostgresError", code });
}

Deno.test("storage errors: client errors are HTTP 400 with the real status in the body", async () => {
  const response = storageErrors.noSuchKey().toResponse();
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    statusCode: "404",
    code: "NoSuchKey",
    error: "not_found",
    message: "Object not found",
  });
  assert.equal(storageErrors.internal().toResponse().status, 500);
});

Deno.test("storage errors: oversized uploads and refused types carry Storage's bodies", () => {
  assert.deepEqual(storageErrors.entityTooLarge().body(), {
    statusCode: "413",
    code: "EntityTooLarge",
    error: "Payload too large",
    message: "The object exceeded the maximum allowed size",
  });
  assert.deepEqual(storageErrors.invalidMimeType("text/plain").body(), {
    statusCode: "415",
    code: "InvalidMimeType",
    error: "invalid_mime_type",
    message: "mime type text/plain is not supported",
  });
});

Deno.test("storage errors: validation errors have no code", () => {
  assert.deepEqual(storageErrors.badRequest("body must have required property 'prefix'").body(), {
    statusCode: "400",
    error: "Bad Request",
    message: "body must have required property 'prefix'",
  });
});

Deno.test("database errors map to Storage's errors: RLS, duplicates, missing buckets", () => {
  const rls = fromDatabaseError(
    postgresError("42501", 'new row violates row-level security policy for table "objects"'),
  ) as StorageApiError;
  assert.deepEqual(rls.body(), {
    statusCode: "403",
    code: "AccessDenied",
    error: "Unauthorized",
    message: "new row violates row-level security policy",
  });
  const duplicate = fromDatabaseError(postgresError("23505", "duplicate key")) as StorageApiError;
  assert.deepEqual(duplicate.body(), {
    statusCode: "409",
    code: "ResourceAlreadyExists",
    error: "Duplicate",
    message: "The resource already exists",
  });
  assert.equal((fromDatabaseError(postgresError("23503", "fk")) as StorageApiError).statusCode, 404);
  assert.equal((fromDatabaseError(postgresError("XX000", "boom")) as StorageApiError).httpStatus, 500);
  const plain = new Error("not from the database");
  assert.equal(fromDatabaseError(plain), plain);
});
