import assert from "node:assert/strict";
import { accessTokenClaims, newRefreshToken, sessionAmr } from "./session_tokens.ts";

const baseUser = {
  id: "5d0c8f36-3c8b-4d55-9a55-0f9d3a8e6b11",
  aud: "authenticated",
  role: "authenticated",
  email: "reader@example.com",
  phone: null,
  raw_app_meta_data: { provider: "email", providers: ["email"] },
  raw_user_meta_data: { display_name: "Reader", email_verified: true },
  is_anonymous: false,
};

Deno.test("access token claims: a password user gets GoTrue's claims", () => {
  const amr = [{ method: "password", timestamp: 1_700_000_000 }];
  const claims = accessTokenClaims({
    issuer: "http://127.0.0.1:54321/auth/v1",
    user: baseUser,
    sessionId: "1b7e1f0a-8c55-4a3e-9f61-2f4c07b9d2aa",
    amr,
  });
  assert.deepEqual(claims, {
    iss: "http://127.0.0.1:54321/auth/v1",
    sub: baseUser.id,
    aud: "authenticated",
    email: "reader@example.com",
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: { display_name: "Reader", email_verified: true },
    role: "authenticated",
    aal: "aal1",
    amr,
    session_id: "1b7e1f0a-8c55-4a3e-9f61-2f4c07b9d2aa",
    is_anonymous: false,
  });
});

Deno.test("access token claims: an anonymous user has empty email and phone and is marked anonymous", () => {
  const claims = accessTokenClaims({
    issuer: "http://localhost/auth/v1",
    user: { ...baseUser, email: null, raw_app_meta_data: {}, raw_user_meta_data: null, is_anonymous: true },
    sessionId: "6f1d7a52-7f0e-4d8b-8f5e-0c1f6b1e2d33",
    amr: [{ method: "anonymous", timestamp: 1 }],
  });
  assert.equal(claims.email, "");
  assert.equal(claims.phone, "");
  assert.equal(claims.is_anonymous, true);
  assert.deepEqual(claims.app_metadata, {});
  assert.deepEqual(claims.user_metadata, {});
});

Deno.test("session amr: anonymous users signed in anonymously, others with a password, at session start", () => {
  const created_at = new Date("2025-01-02T03:04:05.678Z");
  assert.deepEqual(sessionAmr({ is_anonymous: true }, { created_at }), [{
    method: "anonymous",
    timestamp: 1735787045,
  }]);
  assert.deepEqual(sessionAmr({ is_anonymous: false }, { created_at }), [{
    method: "password",
    timestamp: 1735787045,
  }]);
});

Deno.test("refresh tokens: twelve lower-case alphanumerics, different every time", () => {
  const tokens = Array.from({ length: 50 }, () => newRefreshToken());
  for (const token of tokens) assert.match(token, /^[a-z0-9]{12}$/);
  assert.equal(new Set(tokens).size, tokens.length);
});
