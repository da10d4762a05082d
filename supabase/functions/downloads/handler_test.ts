import assert from "node:assert/strict";
import { ApiError } from "../_shared/http.ts";
import { createDownloadTokens } from "../_shared/download_token.ts";
import { createDownloadHandler } from "./handler.ts";
import type { OrderDownload } from "./download_store.ts";

const ORDER = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const OWNER = "8c7d6e5f-4a3b-4c2d-9e0f-1a2b3c4d5e6f";
const NOW = new Date("2026-12-01T12:00:00Z");
const LATER = new Date("2026-12-31T12:00:00Z");
const URL_ = `https://project.supabase.co/functions/v1/downloads/${ORDER}`;

const READY: OrderDownload = {
  userId: OWNER,
  status: "paid",
  bookPath: `${OWNER}/${ORDER}.pdf`,
  bookReadyAt: NOW,
  downloadExpiresAt: LATER,
};

async function setup(order: OrderDownload | null = READY) {
  const tokens = await createDownloadTokens("project-secret");
  const signed: string[] = [];
  const handler = createDownloadHandler({
    downloads: { find: (id) => Promise.resolve(id === ORDER ? order : null) },
    tokens,
    authenticate: (request) => {
      const token = request.headers.get("authorization");
      if (!token) return Promise.reject(new ApiError(401, "unauthorized", "Sign in first."));
      return Promise.resolve({ sub: token.replace("Bearer ", ""), role: "authenticated" });
    },
    objects: {
      signedUrl: (bucket, path, ttl) => {
        signed.push(`${bucket}/${path}`);
        return Promise.resolve(
          `https://project.supabase.co/storage/v1/object/sign/${bucket}/${path}?ttl=${ttl}`,
        );
      },
    },
    clock: { now: () => NOW },
    log: () => {},
  });
  return { handler, tokens, signed };
}

const get = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });
const codeOf = async (response: Response) => (await response.json()).error.code;

Deno.test("a good token leads by 302 to a short-lived signed URL of the book", async () => {
  const { handler, tokens, signed } = await setup();
  const response = await handler(get(`${URL_}?token=${await tokens.sign(ORDER, LATER)}`));
  assert.equal(response.status, 302);
  assert.match(response.headers.get("location")!, /\/sign\/books\/.*\?ttl=300$/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(signed, [`books/${OWNER}/${ORDER}.pdf`]);
});

Deno.test("a bad token is 403 and signs nothing", async () => {
  const { handler, tokens, signed } = await setup();
  const other = await tokens.sign("6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f", LATER);
  for (const token of [other, "123.abc", "garbage"]) {
    const response = await handler(get(`${URL_}?token=${token}`));
    assert.equal(response.status, 403, token);
    assert.equal(await codeOf(response), "bad_token");
  }
  assert.deepEqual(signed, []);
});

Deno.test("an expired link or an order past its download period is 410 link_expired", async () => {
  const { handler, tokens } = await setup();
  const expired = await handler(
    get(`${URL_}?token=${await tokens.sign(ORDER, new Date("2026-11-30T00:00:00Z"))}`),
  );
  assert.deepEqual([expired.status, await codeOf(expired)], [410, "link_expired"]);
  const past = await setup({ ...READY, downloadExpiresAt: new Date("2026-11-30T00:00:00Z") });
  const response = await past.handler(get(`${URL_}?token=${await past.tokens.sign(ORDER, LATER)}`));
  assert.deepEqual([response.status, await codeOf(response)], [410, "link_expired"]);
});

Deno.test("a cancelled order is 410 order_cancelled, even with a good token", async () => {
  const { handler, tokens } = await setup({ ...READY, status: "cancelled" });
  const response = await handler(get(`${URL_}?token=${await tokens.sign(ORDER, LATER)}`));
  assert.deepEqual([response.status, await codeOf(response)], [410, "order_cancelled"]);
});

Deno.test("an unknown order is 404; a malformed id too", async () => {
  const { handler, tokens } = await setup(null);
  const response = await handler(get(`${URL_}?token=${await tokens.sign(ORDER, LATER)}`));
  assert.deepEqual([response.status, await codeOf(response)], [404, "order_not_found"]);
  const malformed = await handler(get("https://project.supabase.co/functions/v1/downloads/not-an-id"));
  assert.equal(malformed.status, 404);
});

Deno.test("the signed-in owner downloads without a token; another user sees 404; nobody at all 401", async () => {
  const { handler } = await setup();
  assert.equal((await handler(get(URL_, { authorization: `Bearer ${OWNER}` }))).status, 302);
  const stranger = await handler(get(URL_, { authorization: "Bearer 11111111-2222-4333-8444-555555555555" }));
  assert.deepEqual([stranger.status, await codeOf(stranger)], [404, "order_not_found"]);
  assert.equal((await handler(get(URL_))).status, 401);
});

Deno.test("a book erased with the parent's data is 410 book_removed", async () => {
  const { handler, tokens } = await setup({ ...READY, bookPath: null });
  const response = await handler(get(`${URL_}?token=${await tokens.sign(ORDER, LATER)}`));
  assert.deepEqual([response.status, await codeOf(response)], [410, "book_removed"]);
});

Deno.test("a book not assembled yet is 409 book_not_ready with a Retry-After", async () => {
  const { handler, tokens } = await setup({ ...READY, bookPath: null, bookReadyAt: null });
  const response = await handler(get(`${URL_}?token=${await tokens.sign(ORDER, LATER)}`));
  assert.deepEqual([response.status, response.headers.get("retry-after")], [409, "60"]);
  assert.equal(await codeOf(response), "book_not_ready");
});

Deno.test("anything but GET is 405", async () => {
  const { handler } = await setup();
  assert.equal((await handler(new Request(URL_, { method: "POST" }))).status, 405);
});
