import assert from "node:assert/strict";
import { multipartBoundary, MultipartError, parseMultipart } from "./multipart.ts";

async function serialize(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const request = new Request("http://localhost/", { method: "POST", body: form });
  return {
    body: new Uint8Array(await request.arrayBuffer()),
    contentType: request.headers.get("content-type")!,
  };
}

Deno.test("multipart: reads fields and a file part with an empty field name, as storage-js sends a Blob", async () => {
  const bytes = new Uint8Array([0, 13, 10, 45, 45, 255, 13, 10]); // includes CRLF and dashes
  const form = new FormData();
  form.append("cacheControl", "3600");
  form.append("metadata", JSON.stringify({ owner: "me" }));
  form.append("", new Blob([bytes], { type: "image/png" }), "photo.png");
  const { body, contentType } = await serialize(form);

  const parts = parseMultipart(body, contentType);
  assert.deepEqual(parts.map((part) => [part.name, part.filename, part.contentType]), [
    ["cacheControl", null, null],
    ["metadata", null, null],
    ["", "photo.png", "image/png"],
  ]);
  assert.equal(new TextDecoder().decode(parts[0].body), "3600");
  assert.deepEqual(parts[2].body, bytes);
});

Deno.test("multipart: the boundary may be quoted", () => {
  assert.equal(multipartBoundary('multipart/form-data; boundary="abc def"'), "abc def");
  assert.equal(multipartBoundary("multipart/form-data; boundary=xyz"), "xyz");
  assert.equal(multipartBoundary("multipart/form-data"), null);
});

Deno.test("multipart: truncated bodies are refused", async () => {
  const form = new FormData();
  form.append("file", new Blob(["hello"]), "a.txt");
  const { body, contentType } = await serialize(form);
  assert.throws(() => parseMultipart(body.subarray(0, body.length - 10), contentType), MultipartError);
  assert.throws(() => parseMultipart(body, "multipart/form-data; boundary=other"), MultipartError);
});
