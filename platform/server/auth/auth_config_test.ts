import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { parseAuthConfig } from "./auth_config.ts";

Deno.test("auth config: an empty file gets the Supabase CLI defaults", () => {
  assert.deepEqual(parseAuthConfig(parse("")), {
    jwtExpiry: 3600,
    signupEnabled: true,
    anonymousSignInsEnabled: false,
    emailProviderEnabled: true,
    emailAutoconfirm: true,
    refreshTokenRotation: true,
    refreshTokenReuseInterval: 10,
    minimumPasswordLength: 6,
  });
});

Deno.test("auth config: [auth] and [auth.email] keys override the defaults", () => {
  const config = parseAuthConfig(parse(`
[auth]
jwt_expiry = 600
enable_signup = false
enable_anonymous_sign_ins = true
enable_refresh_token_rotation = false
refresh_token_reuse_interval = 0
minimum_password_length = 10

[auth.email]
enable_signup = false
enable_confirmations = true
`));
  assert.deepEqual(config, {
    jwtExpiry: 600,
    signupEnabled: false,
    anonymousSignInsEnabled: true,
    emailProviderEnabled: false,
    emailAutoconfirm: false,
    refreshTokenRotation: false,
    refreshTokenReuseInterval: 0,
    minimumPasswordLength: 10,
  });
});

Deno.test("auth config: disabled anonymous sign-ins are read as disabled", () => {
  assert.equal(
    parseAuthConfig(parse("[auth]\nenable_anonymous_sign_ins = false\n")).anonymousSignInsEnabled,
    false,
  );
});

Deno.test("auth config: a mistyped value is refused with the key that is wrong", () => {
  assert.throws(
    () => parseAuthConfig(parse('[auth]\njwt_expiry = "1h"\n'), "config.toml"),
    /config\.toml: \[auth\.jwt_expiry\]/,
  );
});

Deno.test("auth config: [auth.email] enabled (CLI 3 spelling) switches the email provider", () => {
  assert.equal(parseAuthConfig(parse("[auth.email]\nenabled = false\n")).emailProviderEnabled, false);
  assert.equal(
    parseAuthConfig(parse("[auth.email]\nenabled = true\nenable_signup = false\n")).emailProviderEnabled,
    true,
  );
});
