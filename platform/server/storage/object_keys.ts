/**
 * Which bucket ids and object names the Storage stand-in accepts. Storage allows S3-safe characters only; the
 * stand-in additionally refuses names that could not map to one file under the bucket's folder on disk
 * (`..` or `.` segments, empty segments, a leading or trailing `/`), so no name can reach outside it.
 */
import { storageErrors } from "./storage_errors.ts";

const safeKeyPattern = /^[\w/!\-.*'() &$@=;:+,?]+$/;
const safeBucketPattern = /^[\w!\-.*'() &$@=;:+,?]+$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[089ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Studio and storage-js create folders by uploading this zero-byte object. */
const emptyFolderPlaceholder = ".emptyFolderPlaceholder";

export function mustBeValidKey(name: string): void {
  if (!safeKeyPattern.test(name)) throw storageErrors.invalidKey(name);
  const segments = name.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw storageErrors.invalidKey(name);
  }
}

export function mustBeValidBucketName(bucketId: string): void {
  if (!safeBucketPattern.test(bucketId) || bucketId === "." || bucketId === ".." || bucketId.length > 100) {
    throw storageErrors.invalidBucketName();
  }
}

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

export function isEmptyFolderPlaceholder(name: string): boolean {
  return name.endsWith(emptyFolderPlaceholder);
}
