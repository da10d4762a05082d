import assert from "node:assert/strict";
import { findRoute, matchPattern, type Route } from "./route_table.ts";
import { StorageApiError } from "./storage_errors.ts";

Deno.test("routes: the wildcard takes the rest of the path, decoded", () => {
  assert.deepEqual(matchPattern("/object/:bucket/*", "/object/avatars/user%201/cat.png"), {
    bucket: "avatars",
    "*": "user 1/cat.png",
  });
  assert.equal(matchPattern("/object/:bucket/*", "/object/avatars"), null);
  assert.equal(matchPattern("/object/:bucket", "/object/avatars/x"), null);
  assert.deepEqual(matchPattern("/bucket", "/bucket"), {});
});

Deno.test("routes: empty segments stay in object names so that key validation refuses them", () => {
  assert.deepEqual(matchPattern("/object/:bucket/*", "/object/b/a//c"), { bucket: "b", "*": "a//c" });
});

Deno.test("routes: listed order decides, so literal routes win over the bucket catch-all", () => {
  const route = (method: string, pattern: string): Route<string> => ({
    method,
    pattern,
    auth: "required",
    operation: pattern,
    handler: pattern,
  });
  const routes = [route("POST", "/object/sign/:bucket/*"), route("POST", "/object/:bucket/*")];
  assert.equal(findRoute(routes, "POST", "/object/sign/b/x.png")?.route.handler, "/object/sign/:bucket/*");
  assert.equal(findRoute(routes, "POST", "/object/photos/x.png")?.route.handler, "/object/:bucket/*");
  assert.equal(findRoute(routes, "GET", "/object/photos/x.png"), null);
});

Deno.test("routes: malformed percent-encoding is an invalid key", () => {
  assert.throws(() => matchPattern("/object/:bucket/*", "/object/b/%E0%A4%A"), StorageApiError);
});
