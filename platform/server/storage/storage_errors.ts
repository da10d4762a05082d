/**
 * Errors of the Storage stand-in, shaped as Supabase Storage renders them. Storage answers every client error with
 * HTTP 400 and carries the meaningful status in the body's `statusCode` string (e.g. "404", "409", "413"); only
 * internal errors use HTTP 500. storage-js reads `statusCode`, `code` and `message` from that body.
 */
import { json } from "../http.ts";

export interface StorageErrorBody {
  statusCode: string;
  code?: string;
  error: string;
  message: string;
}

export class StorageApiError extends Error {
  override name = "StorageApiError";

  constructor(
    /** Storage's error code, e.g. `NoSuchKey`; absent for request validation errors, as in Storage. */
    readonly code: string | undefined,
    /** The status Storage reports in the body. */
    readonly statusCode: number,
    message: string,
    /** The legacy `error` field; Storage falls back to the code. */
    readonly error: string = code ?? "Bad Request",
    /** The HTTP status; Storage sends 400 for everything but internal errors. */
    readonly httpStatus: number = statusCode === 500 ? 500 : 400,
  ) {
    super(message);
  }

  body(): StorageErrorBody {
    const statusCode = String(this.statusCode);
    return this.code === undefined
      ? { statusCode, error: this.error, message: this.message }
      : { statusCode, code: this.code, error: this.error, message: this.message };
  }

  toResponse(): Response {
    return json(this.body(), this.httpStatus);
  }
}

export const storageErrors = {
  noSuchBucket: () => new StorageApiError("NoSuchBucket", 404, "Bucket not found", "Bucket not found"),
  noSuchKey: () => new StorageApiError("NoSuchKey", 404, "Object not found", "not_found"),
  accessDenied: (message = "Access denied") =>
    new StorageApiError("AccessDenied", 403, message, "Unauthorized"),
  invalidJwt: (message = "Invalid JWT") => new StorageApiError("InvalidJWT", 400, message),
  invalidSignature: () => new StorageApiError("InvalidSignature", 400, "Invalid signature"),
  expiredSignature: () => new StorageApiError("ExpiredToken", 400, "The provided token has expired."),
  entityTooLarge: (entity = "object") =>
    new StorageApiError(
      "EntityTooLarge",
      413,
      `The ${entity} exceeded the maximum allowed size`,
      "Payload too large",
    ),
  invalidMimeType: (mimeType: string) =>
    new StorageApiError(
      "InvalidMimeType",
      415,
      `mime type ${mimeType} is not supported`,
      "invalid_mime_type",
    ),
  resourceAlreadyExists: () =>
    new StorageApiError("ResourceAlreadyExists", 409, "The resource already exists", "Duplicate"),
  bucketAlreadyExists: () =>
    new StorageApiError("BucketAlreadyExists", 409, "The resource already exists", "Duplicate"),
  bucketNotEmpty: () =>
    new StorageApiError("ResourceNotEmpty", 409, "The bucket you tried to delete is not empty"),
  invalidKey: (key: string, detail = "") =>
    new StorageApiError("InvalidKey", 400, `Invalid key: ${key}${detail}`),
  invalidBucketName: () =>
    new StorageApiError("InvalidBucketName", 400, "Bucket name invalid", "Invalid Input"),
  invalidFileSizeLimit: () =>
    new StorageApiError("InvalidRequest", 400, "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B"),
  noContentProvided: () => new StorageApiError("InvalidRequest", 400, "No content provided"),
  relatedResourceNotFound: () =>
    new StorageApiError("InvalidRequest", 404, "The related resource does not exist"),
  resourceLocked: () => new StorageApiError("ResourceLocked", 423, "The resource is locked"),
  databaseTimeout: () =>
    new StorageApiError(
      "DatabaseTimeout",
      544,
      "The connection to the database timed out",
      "DatabaseTimeout",
      544,
    ),
  invalidParameter: (message: string) => new StorageApiError("InvalidParameter", 400, message),
  databaseError: (sqlState: string) =>
    new StorageApiError("DatabaseError", 500, `database error, code: ${sqlState}`),
  /** Request validation failures, which Storage renders without a `code`. */
  badRequest: (message: string) => new StorageApiError(undefined, 400, message, "Bad Request"),
  /** An unknown route, as the HTTP framework under Storage answers it. */
  routeNotFound: (method: string, path: string) =>
    new StorageApiError(undefined, 404, `Route ${method}:${path} not found`, "Not Found", 404),
  /** The row exists but its bytes do not: Storage's renderer answer when the backend has no object. */
  bytesNotFound: () => new StorageApiError(undefined, 404, "The resource was not found", "Not found"),
  internal: (message = "Internal server error") => new StorageApiError("InternalError", 500, message),
};

interface PostgresErrorLike {
  code: string;
  message: string;
}

function isPostgresError(error: unknown): error is PostgresErrorLike {
  return error instanceof Error && error.name === "PostgresError" &&
    typeof (error as { code?: unknown }).code === "string";
}

/** Maps a database error to the Storage error the API returns for it (RLS, duplicates, missing buckets...). */
export function fromDatabaseError(error: unknown): unknown {
  if (!isPostgresError(error)) return error;
  switch (error.code) {
    case "42501":
      return storageErrors.accessDenied(
        error.message.includes("row-level security")
          ? "new row violates row-level security policy"
          : error.message,
      );
    case "23505":
      return storageErrors.resourceAlreadyExists();
    case "23503":
      return storageErrors.relatedResourceNotFound();
    case "55P03":
      return storageErrors.resourceLocked();
    case "57014":
      return storageErrors.databaseTimeout();
    case "22P02":
      return storageErrors.invalidParameter(
        error.message || "Invalid value format or type conversion failed",
      );
    default:
      return storageErrors.databaseError(error.code);
  }
}
