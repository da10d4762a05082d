import assert from "node:assert/strict";
import { type PlatformKeys, platformKeys } from "../keys.ts";
import { authenticate, signDownloadUrl, signUploadUrl, verifySignedUrlToken } from "./storage_auth.ts";
import { StorageApiError } from "./storage_errors.ts";

async function withKeys(run: (keys: PlatformKeys) => Promise<void>): Promise<void> {
  const keysDir = await Deno.makeTempDir();
  try {
    await run(await platformKeys(keysDir));
  } finally {
    await Deno.remove(keysDir, { recursive: true });
  }
}

async function refusal(run: () => Promise<unknown>): Promise<Record<string, string | undefined>> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof StorageApiError);
    return { ...error.body() };
  }
  assert.fail("expected a StorageApiError");
}

function tokenOf(signedUrl: string): string {
  return new URL(signedUrl, "http://localhost").searchParams.get("token")!;
}

Deno.test("signed URLs are relative and name the object in their token", () =>
  withKeys(async (keys) => {
    const signed = await signDownloadUrl(keys, "photos", "u1/a.png", 60);
    assert.match(signed, /^\/object\/sign\/photos\/u1\/a\.png\?token=/);
    const payload = await verifySignedUrlToken(keys, tokenOf(signed), "photos", "u1/a.png", "download");
    assert.equal(payload.url, "photos/u1/a.png");
  }));

Deno.test("a signed URL token for another object is an invalid signature", () =>
  withKeys(async (keys) => {
    const token = tokenOf(await signDownloadUrl(keys, "photos", "u1/a.png", 60));
    assert.deepEqual(
      await refusal(() => verifySignedUrlToken(keys, token, "photos", "u2/b.png", "download")),
      {
        statusCode: "400",
        code: "InvalidSignature",
        error: "InvalidSignature",
        message: "Invalid signature",
      },
    );
  }));

Deno.test("tampered and expired signed URL tokens are refused as invalid JWTs", () =>
  withKeys(async (keys) => {
    const token = tokenOf(await signDownloadUrl(keys, "photos", "u1/a.png", 60));
    const [header, payload, signature] = token.split(".");
    const flipped = signature[10] === "A" ? "B" : "A";
    const tampered = `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
    assert.equal(
      (await refusal(() => verifySignedUrlToken(keys, tampered, "photos", "u1/a.png", "download"))).message,
      "invalid signature",
    );
    const expired = await keys.signHs256({ url: "photos/u1/a.png" }, -10);
    assert.deepEqual(
      await refusal(() => verifySignedUrlToken(keys, expired, "photos", "u1/a.png", "download")),
      {
        statusCode: "400",
        code: "InvalidJWT",
        error: "InvalidJWT",
        message: "jwt expired",
      },
    );
    assert.equal(
      (await refusal(() => verifySignedUrlToken(keys, "not-a-jwt", "photos", "u1/a.png", "download")))
        .message,
      "jwt malformed",
    );
  }));

Deno.test("signed upload URLs carry the owner and the upsert flag", () =>
  withKeys(async (keys) => {
    const { url, token } = await signUploadUrl(keys, "photos", "u1/a.png", "user-1", true);
    assert.equal(url, `/object/upload/sign/photos/u1/a.png?token=${token}`);
    const payload = await verifySignedUrlToken(keys, token, "photos", "u1/a.png", "upload");
    assert.equal(payload.owner, "user-1");
    assert.equal(payload.upsert, true);
  }));

Deno.test("a signed download token cannot upload, and a signed upload token cannot download", () =>
  withKeys(async (keys) => {
    const download = tokenOf(await signDownloadUrl(keys, "photos", "u1/a.png", 60));
    const { token: upload } = await signUploadUrl(keys, "photos", "u1/a.png", "user-1", false);
    assert.equal(
      (await refusal(() => verifySignedUrlToken(keys, download, "photos", "u1/a.png", "upload"))).code,
      "InvalidSignature",
    );
    assert.equal(
      (await refusal(() => verifySignedUrlToken(keys, upload, "photos", "u1/a.png", "download"))).code,
      "InvalidSignature",
    );
  }));

Deno.test("requests without a JWT, or with a bad one, are refused as AccessDenied", () =>
  withKeys(async (keys) => {
    const request = (headers: Record<string, string>) => new Request("http://localhost/", { headers });
    assert.deepEqual(await refusal(() => authenticate(keys, request({}))), {
      statusCode: "403",
      code: "AccessDenied",
      error: "Unauthorized",
      message: "jwt must be provided",
    });
    assert.equal(
      (await refusal(() => authenticate(keys, request({ authorization: "Bearer nope" })))).message,
      "jwt malformed",
    );
    const userToken = await keys.signAccessToken({ sub: "u", role: "authenticated" }, 60);
    assert.equal((await authenticate(keys, request({ authorization: `Bearer ${userToken}` }))).userId, "u");
    assert.equal((await authenticate(keys, request({ apikey: keys.anonKey }))).role, "anon");
  }));
