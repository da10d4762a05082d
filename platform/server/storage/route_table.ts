/**
 * Route matching for the Storage stand-in. Patterns are `/`-separated: literal segments, `:name` for one segment,
 * and a trailing `*` for the rest of the path (an object name may contain `/`). Routes are tried in order, so
 * literal routes (`/object/sign/...`) are listed before the catch-all `/object/:bucket/*`, as Storage's router
 * prefers static segments.
 */
import { storageErrors } from "./storage_errors.ts";

/** How a route treats the JWT: required, used when valid (public buckets otherwise), or not read at all. */
export type AuthMode = "required" | "optional" | "none";

export interface Route<Handler> {
  method: string;
  pattern: string;
  auth: AuthMode;
  /** Storage's name for the operation, exposed to SQL as `storage.operation`. */
  operation: string;
  handler: Handler;
}

export type RouteParams = Record<string, string>;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw storageErrors.invalidKey(segment);
  }
}

/** Matches a path against a pattern; the params come back decoded. */
export function matchPattern(pattern: string, path: string): RouteParams | null {
  const patternSegments = pattern.split("/").filter(Boolean);
  const relative = path.startsWith("/") ? path.slice(1) : path;
  // empty segments are kept: inside an object name they reach key validation, which refuses them
  const pathSegments = relative === "" ? [] : relative.split("/");
  const params: RouteParams = {};
  for (let index = 0; index < patternSegments.length; index++) {
    const expected = patternSegments[index];
    if (expected === "*") {
      const rest = pathSegments.slice(index).join("/");
      if (rest === "") return null;
      params["*"] = decode(rest);
      return params;
    }
    const actual = pathSegments[index];
    if (actual === undefined || actual === "") return null;
    if (expected.startsWith(":")) params[expected.slice(1)] = decode(actual);
    else if (expected !== actual) return null;
  }
  return pathSegments.length === patternSegments.length ? params : null;
}

export function findRoute<Handler>(
  routes: readonly Route<Handler>[],
  method: string,
  path: string,
): { route: Route<Handler>; params: RouteParams } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchPattern(route.pattern, path);
    if (params) return { route, params };
  }
  return null;
}
