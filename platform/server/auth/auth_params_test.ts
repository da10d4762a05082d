import assert from "node:assert/strict";
import { AuthError } from "./auth_errors.ts";
import { checkPasswordStrength, readParams, signupParams, validateEmail } from "./auth_params.ts";

const post = (body: string) => new Request("http://localhost/auth/v1/signup", { method: "POST", body });

const rejects = async (work: () => unknown, errorCode: string, status: number) => {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${error}`);
    assert.equal(error.errorCode, errorCode);
    assert.equal(error.status, status);
    return error;
  }
  assert.fail(`expected ${errorCode}`);
};

Deno.test("auth params: a body that is not JSON is bad_json", async () => {
  await rejects(() => readParams(post("{not json"), signupParams), "bad_json", 400);
});

Deno.test("auth params: a field of the wrong type is bad_json, as Go's decoder refuses it", async () => {
  await rejects(() => readParams(post('{"email": 42}'), signupParams), "bad_json", 400);
});

Deno.test("auth params: nulls and unknown fields are accepted, as auth-js sends them", async () => {
  const params = await readParams(
    post('{"email":"a@b.co","password":"x","data":{},"code_challenge":null,"gotrue_meta_security":{}}'),
    signupParams,
  );
  assert.equal(params.email, "a@b.co");
});

Deno.test("auth params: emails are lower-cased and malformed ones refused", async () => {
  assert.equal(validateEmail(" Reader@Example.COM "), "reader@example.com");
  await rejects(() => validateEmail("not-an-email"), "validation_failed", 400);
  await rejects(() => validateEmail(""), "validation_failed", 400);
});

Deno.test("auth params: short passwords are weak_password with the length reason", async () => {
  const error = await rejects(() => checkPasswordStrength("12345", 6), "weak_password", 422);
  assert.deepEqual(error.weakPasswordReasons, ["length"]);
  checkPasswordStrength("123456", 6);
});

Deno.test("auth params: passwords longer than bcrypt reads are refused", async () => {
  await rejects(() => checkPasswordStrength("x".repeat(73), 6), "validation_failed", 422);
});
