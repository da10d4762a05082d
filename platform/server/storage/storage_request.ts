/** What every Storage stand-in handler receives, and the request helpers they share. */
import type { z } from "zod";
import type { Caller } from "../caller.ts";
import type { PlatformKeys } from "../keys.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./object_keys.ts";
import type { ObjectFiles } from "./object_files.ts";
import type { Route, RouteParams } from "./route_table.ts";
import type { StorageDatabase } from "./storage_database.ts";
import { storageErrors } from "./storage_errors.ts";

export interface StorageDependencies {
  keys: PlatformKeys;
  files: ObjectFiles;
  /** `[storage] file_size_limit` of the project's config.toml, in bytes. */
  globalFileSizeLimit: number;
}

export interface StorageRequest {
  request: Request;
  url: URL;
  params: RouteParams;
  /** The verified caller; null on routes that also serve public buckets when no valid JWT came. */
  caller: Caller | null;
  db: StorageDatabase;
  deps: StorageDependencies;
}

export type StorageHandler = (request: StorageRequest) => Promise<Response>;
export type StorageRoute = Route<StorageHandler>;

/** The caller of a route that requires a JWT (the dispatcher has verified it). */
export function callerOf(request: StorageRequest): Caller {
  if (!request.caller) throw storageErrors.accessDenied("jwt must be provided");
  return request.caller;
}

/** `bucket` and `*` of an object route, validated as Storage validates them. */
export function objectParams(request: StorageRequest): { bucketId: string; name: string } {
  const bucketId = request.params.bucket;
  const name = request.params["*"];
  mustBeValidBucketName(bucketId);
  mustBeValidKey(name);
  return { bucketId, name };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    const parent = path.length > 1 ? `body/${path.slice(0, -1).join("/")}` : "body";
    return `${parent} must have required property '${path[path.length - 1]}'`;
  }
  return `body${path.length ? "/" + path.join("/") : ""} ${issue.message}`;
}

/** Parses a JSON body against a schema; failures are Storage's 400 validation errors. */
export async function jsonBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  const text = await request.text();
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw storageErrors.badRequest("Body is not valid JSON");
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw storageErrors.badRequest(describeIssue(parsed.error.issues[0]));
  return parsed.data;
}
