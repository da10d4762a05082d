import assert from "node:assert/strict";
import type { UserClaims } from "../_shared/auth.ts";
import { ApiError } from "../_shared/http.ts";
import { ImageInputError } from "../_shared/images/image_header.ts";
import type { NormalisedPhoto } from "../_shared/images/photo_normalisation.ts";
import { createRgbaImage } from "../_shared/images/raster.ts";
import type { DetectedFace } from "./face_detector.ts";
import { createUploadPhotoHandler, MAX_PHOTO_BYTES, type UploadPhotoDeps } from "./handler.ts";
import type { NewPhoto } from "./photo_store.ts";

const USER: UserClaims = { sub: "7d4c8f7e-5b0a-4a44-9a43-6f0f5a1f2b11", role: "authenticated" };
const PHOTO_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const URL_ = "http://localhost/functions/v1/upload-photo";

// Content is judged by magic bytes, so these are enough for the handler (the fakes stand in for the codecs).
const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0, 1]);
const GIF_BYTES = new TextEncoder().encode("GIF89a\x01\x00\x01\x00\x00\x00\x00;");

const ONE_FACE: DetectedFace[] = [{ box: { x: 100, y: 80, width: 300, height: 360 }, confidence: 0.9731 }];

function normalisedPhoto(): NormalisedPhoto {
  return {
    jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 0xff, 0xd9]),
    image: createRgbaImage(800, 1000),
    width: 800,
    height: 1000,
    sourceFormat: "jpeg",
  };
}

interface Recorded {
  inserted: NewPhoto[];
  removed: string[];
  uploads: { bucket: string; path: string; bytes: Uint8Array; contentType: string }[];
  admitted: string[];
  normalised: number;
  logs: string[];
}

function setup(
  overrides: Partial<UploadPhotoDeps> & { retryAfter?: number | null; faces?: DetectedFace[] } = {},
) {
  const recorded: Recorded = {
    inserted: [],
    removed: [],
    uploads: [],
    admitted: [],
    normalised: 0,
    logs: [],
  };
  const handler = createUploadPhotoHandler({
    authenticate: (request) =>
      request.headers.get("authorization") === "Bearer user-token"
        ? Promise.resolve(USER)
        : Promise.reject(new ApiError(401, "unauthorized", "no session")),
    photos: {
      admitUpload: (userId) => {
        recorded.admitted.push(userId);
        return Promise.resolve(overrides.retryAfter === undefined ? 0 : overrides.retryAfter);
      },
      insert: (photo) => {
        recorded.inserted.push(photo);
        return Promise.resolve();
      },
    },
    objects: {
      upload: (bucket, path, bytes, contentType) => {
        recorded.uploads.push({ bucket, path, bytes, contentType });
        return Promise.resolve();
      },
      remove: (bucket, paths) => {
        recorded.removed.push(...paths.map((path) => `${bucket}/${path}`));
        return Promise.resolve();
      },
    },
    normalise: () => {
      recorded.normalised++;
      return Promise.resolve(normalisedPhoto());
    },
    detectFaces: () => Promise.resolve(overrides.faces ?? ONE_FACE),
    newId: () => PHOTO_ID,
    log: (line) => recorded.logs.push(line),
    ...overrides,
  });
  return { handler, recorded };
}

function multipart(bytes: Uint8Array, field = "file", filename = "photo.jpg"): FormData {
  const form = new FormData();
  form.append(field, new File([bytes as Uint8Array<ArrayBuffer>], filename));
  return form;
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { authorization: "Bearer user-token", ...headers },
    body,
  });
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = await response.json();
  return { status: response.status, code: body.error.code, message: body.error.message };
}

function assertNothingStored(recorded: Recorded) {
  assert.deepEqual(recorded.inserted, []);
  assert.deepEqual(recorded.uploads, []);
}

Deno.test("upload-photo stores the normalised photo under the user's folder and answers 201 with the face", async () => {
  const { handler, recorded } = setup();
  const response = await handler(post(multipart(JPEG_BYTES)));
  assert.equal(response.status, 201);
  assert.deepEqual(await response.json(), {
    photo_id: PHOTO_ID,
    face: { confidence: 0.973, area_percent: 13.5, box: { x: 100, y: 80, width: 300, height: 360 } },
    width: 800,
    height: 1000,
  });
  assert.equal(recorded.uploads.length, 1);
  const [stored] = recorded.uploads;
  assert.equal(stored.bucket, "photos");
  assert.equal(stored.path, `${USER.sub}/${PHOTO_ID}.jpg`);
  assert.equal(stored.contentType, "image/jpeg");
  assert.deepEqual(stored.bytes, normalisedPhoto().jpeg, "the re-encoding is stored, never the bytes sent");
  assert.deepEqual(recorded.inserted, [{
    id: PHOTO_ID,
    userId: USER.sub,
    storagePath: `${USER.sub}/${PHOTO_ID}.jpg`,
    width: 800,
    height: 1000,
    faceBox: { x: 100, y: 80, width: 300, height: 360 },
    faceConfidence: 0.973,
    faceAreaPercent: 13.5,
  }]);
  assert.deepEqual(recorded.removed, []);
});

Deno.test("upload-photo refuses other methods with 405 and unknown paths with 404", async () => {
  const { handler } = setup();
  assert.equal((await handler(new Request(URL_))).status, 405);
  assert.equal((await handler(new Request(`${URL_}/extra`, { method: "POST" }))).status, 404);
});

Deno.test("upload-photo refuses a request without a session with 401 before reading the body", async () => {
  const { handler, recorded } = setup();
  const response = await handler(new Request(URL_, { method: "POST", body: multipart(JPEG_BYTES) }));
  assert.equal((await errorOf(response)).code, "unauthorized");
  assert.equal(response.status, 401);
  assert.deepEqual(recorded.admitted, []);
});

Deno.test("upload-photo refuses a declared length over 10 MB with 413 without reading a byte", async () => {
  const { handler, recorded } = setup();
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(1024));
    },
  });
  const response = await handler(
    post(body, {
      "content-length": String(MAX_PHOTO_BYTES + 1024 * 1024),
      "content-type": "multipart/form-data",
    }),
  );
  assert.deepEqual(await errorOf(response), {
    status: 413,
    code: "file_too_large",
    message: "The photo is larger than 10 MB; please choose a smaller file.",
  });
  assert.ok(pulled <= 1, `the body was read (${pulled} chunks pulled)`);
  assertNothingStored(recorded);
});

Deno.test("upload-photo stops reading an undeclared body as soon as it passes the limit (413)", async () => {
  const { handler, recorded } = setup();
  let sent = 0;
  const chunk = new Uint8Array(1024 * 1024);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 50) return controller.close();
      sent++;
      controller.enqueue(chunk);
    },
  });
  const response = await handler(post(body, { "content-type": "multipart/form-data; boundary=x" }));
  assert.equal((await errorOf(response)).code, "file_too_large");
  assert.ok(sent <= 12, `read ${sent} MB of a 50 MB body`);
  assertNothingStored(recorded);
});

Deno.test("upload-photo refuses a file part over 10 MB with 413 file_too_large", async () => {
  const { handler, recorded } = setup();
  const big = new Uint8Array(MAX_PHOTO_BYTES + 1);
  big.set(JPEG_BYTES);
  const response = await handler(post(multipart(big)));
  assert.deepEqual(await errorOf(response).then(({ status, code }) => ({ status, code })), {
    status: 413,
    code: "file_too_large",
  });
  assertNothingStored(recorded);
});

for (
  const [name, request, message] of [
    ["an empty body", () => post(null), /multipart\/form-data/],
    ["a JSON body", () => post('{"file": "x"}', { "content-type": "application/json" }), /multipart/],
    [
      "a multipart body without a boundary",
      () => post("--x\r\nnot a part", { "content-type": "multipart/form-data" }),
      /not valid multipart/,
    ],
    ["the wrong field name", () => post(multipart(JPEG_BYTES, "photo")), /no field named file/],
    ["a text field named file", () => {
      const form = new FormData();
      form.append("file", "hello");
      return post(form);
    }, /must be a file/],
  ] as const
) {
  Deno.test(`upload-photo answers ${name} with 400 invalid_request and stores nothing`, async () => {
    const { handler, recorded } = setup();
    const error = await errorOf(await handler(request()));
    assert.equal(error.status, 400);
    assert.equal(error.code, "invalid_request");
    assert.match(error.message, message);
    assertNothingStored(recorded);
    assert.deepEqual(recorded.admitted, [], "a malformed request does not use up the hourly allowance");
  });
}

Deno.test("upload-photo answers a 0-byte file with 400 unreadable_image", async () => {
  const { handler, recorded } = setup();
  const error = await errorOf(await handler(post(multipart(new Uint8Array(0)))));
  assert.deepEqual([error.status, error.code], [400, "unreadable_image"]);
  assertNothingStored(recorded);
});

for (
  const [name, bytes] of [
    ["a GIF", GIF_BYTES],
    ["a text file named .jpg", new TextEncoder().encode("just some notes, not a photo")],
  ] as const
) {
  Deno.test(`upload-photo refuses ${name} by its content with 415 unsupported_media_type`, async () => {
    const { handler, recorded } = setup();
    const error = await errorOf(await handler(post(multipart(bytes, "file", "photo.jpg"))));
    assert.deepEqual([error.status, error.code], [415, "unsupported_media_type"]);
    assert.equal(recorded.normalised, 0, "nothing is decoded");
    assertNothingStored(recorded);
  });
}

Deno.test("upload-photo over the hourly allowance answers 429 with Retry-After and decodes nothing", async () => {
  const { handler, recorded } = setup({ retryAfter: 1799 });
  const response = await handler(post(multipart(JPEG_BYTES)));
  const error = await errorOf(response);
  assert.deepEqual([error.status, error.code], [429, "rate_limited"]);
  assert.equal(response.headers.get("retry-after"), "1799");
  assert.match(error.message, /30 minutes/);
  assert.equal(recorded.normalised, 0);
  assertNothingStored(recorded);
});

Deno.test("upload-photo answers a deleted user's still-valid token with 401 and decodes nothing", async () => {
  const { handler, recorded } = setup({ retryAfter: null });
  const error = await errorOf(await handler(post(multipart(JPEG_BYTES))));
  assert.deepEqual([error.status, error.code], [401, "unauthorized"]);
  assert.equal(recorded.normalised, 0);
  assertNothingStored(recorded);
});

for (
  const [code, status, message] of [
    ["unreadable_image", 400, /could not be read/],
    ["image_too_large", 400, /too many pixels: 50000 × 50000/],
    ["unsupported_format", 415, /not supported: 50000 × 50000 pixels.*save the photo as a JPEG/],
  ] as const
) {
  Deno.test(`upload-photo maps the decoder's ${code} to ${status}`, async () => {
    const { handler, recorded } = setup({
      normalise: () => Promise.reject(new ImageInputError(code, "50000 × 50000 pixels, more than 40 MP")),
    });
    const error = await errorOf(await handler(post(multipart(JPEG_BYTES))));
    assert.equal(error.status, status);
    assert.equal(error.code, code === "unsupported_format" ? "unsupported_media_type" : code);
    assert.match(error.message, message);
    assertNothingStored(recorded);
  });
}

for (
  const [name, faces, code, message] of [
    ["no face", [], "no_face", /could not find a face/],
    [
      "two faces of similar size",
      [
        ONE_FACE[0],
        { box: { x: 450, y: 90, width: 280, height: 330 }, confidence: 0.9 },
      ],
      "multiple_faces",
      /shows 2 faces/,
    ],
    [
      "a face under 10% of the photo",
      [
        { box: { x: 10, y: 10, width: 200, height: 300 }, confidence: 0.95 },
      ],
      "face_too_small",
      /covers 7.5% of the photo/,
    ],
  ] as const
) {
  Deno.test(`upload-photo refuses a photo with ${name} with 400 ${code} and stores nothing`, async () => {
    const { handler, recorded } = setup({ faces: [...faces] as DetectedFace[] });
    const error = await errorOf(await handler(post(multipart(JPEG_BYTES))));
    assert.deepEqual([error.status, error.code], [400, code]);
    assert.match(error.message, message);
    assertNothingStored(recorded);
  });
}

Deno.test("upload-photo writes no row when the object cannot be stored (500)", async () => {
  const { handler, recorded } = setup({
    objects: {
      upload: () => Promise.reject(new Error("storage is down")),
      remove: () => Promise.reject(new Error("not expected")),
    },
  });
  const response = await handler(post(multipart(JPEG_BYTES)));
  assert.equal(response.status, 500);
  assert.equal((await response.json()).error.code, "internal_error");
  assert.deepEqual(recorded.inserted, []);
});

Deno.test("upload-photo removes the stored object when the row cannot be written, and reports the row's error", async () => {
  const removed: string[] = [];
  const { handler, recorded } = setup({
    photos: {
      admitUpload: () => Promise.resolve(0),
      insert: () => Promise.reject(new Error("the database is down")),
    },
    objects: {
      upload: () => Promise.resolve(),
      remove: (bucket, paths) => {
        removed.push(...paths.map((path) => `${bucket}/${path}`));
        // Even when the clean-up fails too, the row's error is the one reported (the purge takes the object).
        return Promise.reject(new Error("storage is down too"));
      },
    },
  });
  const response = await handler(post(multipart(JPEG_BYTES)));
  assert.equal(response.status, 500);
  assert.deepEqual(removed, [`photos/${USER.sub}/${PHOTO_ID}.jpg`]);
  const logged = recorded.logs.map((line) => JSON.parse(line)).find((entry) => entry.level === "error");
  assert.equal(logged.message, "the database is down");
});

Deno.test("upload-photo logs the verdict and timings, never the image or who sent it", async () => {
  const { handler, recorded } = setup();
  await handler(post(multipart(JPEG_BYTES)));
  const checked = recorded.logs.map((line) => JSON.parse(line)).find((entry) =>
    entry.event === "photo_checked"
  );
  assert.equal(checked.verdict, "accepted");
  assert.deepEqual(Object.keys(checked).sort(), [
    "detect_ms",
    "event",
    "height",
    "normalise_ms",
    "source_format",
    "verdict",
    "width",
  ]);
  assert.ok(!recorded.logs.join("\n").includes(USER.sub));
});
