import assert from "node:assert/strict";
import {
  API_VERSION_HEADER,
  AuthError,
  authErrorBody,
  authErrorResponse,
  requestedApiVersion,
} from "./auth_errors.ts";

const request = (headers: Record<string, string> = {}) =>
  new Request("http://localhost/auth/v1/token", { headers });

Deno.test("auth errors: callers without an API version get GoTrue's original shape", async () => {
  const response = authErrorResponse(
    new AuthError(400, "invalid_credentials", "Invalid login credentials"),
    request(),
  );
  assert.equal(response.status, 400);
  assert.equal(response.headers.get(API_VERSION_HEADER), null);
  assert.deepEqual(await response.json(), {
    code: 400,
    error_code: "invalid_credentials",
    msg: "Invalid login credentials",
  });
});

Deno.test("auth errors: callers announcing 2024-01-01 get the dated shape and the version echoed", async () => {
  const response = authErrorResponse(
    new AuthError(422, "user_already_exists", "User already registered"),
    request({ [API_VERSION_HEADER]: "2024-01-01" }),
  );
  assert.equal(response.status, 422);
  assert.equal(response.headers.get(API_VERSION_HEADER), "2024-01-01");
  assert.deepEqual(await response.json(), {
    code: "user_already_exists",
    message: "User already registered",
  });
});

Deno.test("auth errors: weak password reasons travel in both shapes", () => {
  const error = new AuthError(422, "weak_password", "Password should be at least 6 characters.", ["length"]);
  assert.deepEqual(authErrorBody(error, null).weak_password, { reasons: ["length"] });
  assert.deepEqual(authErrorBody(error, "2024-01-01").weak_password, { reasons: ["length"] });
});

Deno.test("auth errors: later dates resolve to 2024-01-01, earlier or malformed ones to the original version", () => {
  assert.equal(requestedApiVersion(request({ [API_VERSION_HEADER]: "2025-06-30" })), "2024-01-01");
  assert.equal(requestedApiVersion(request({ [API_VERSION_HEADER]: "2023-12-31" })), null);
  assert.equal(requestedApiVersion(request({ [API_VERSION_HEADER]: "yesterday" })), null);
});
