/**
 * upload-photo on the local platform, with the real face detector: the bad-input catalogue (each refusal with
 * its exact status and code, and nothing stored), the happy path in each accepted format, and the metadata
 * cases (EXIF orientation applied, GPS and every other tag stripped).
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import encodeWebp from "@jsquash/webp/encode.js";
import type { TestPlatform } from "../../platform/tests/support/test_platform.ts";
import { readJpegHeader } from "../../supabase/functions/_shared/images/image_header.ts";
import { createRgbaImage, type RgbaImage } from "../../supabase/functions/_shared/images/raster.ts";
import { encodeJpeg } from "../../supabase/functions/_shared/images/jpeg_encoder.ts";
import { encodePng } from "../../supabase/functions/_shared/images/test_images.ts";
import {
  deflated,
  findBytes,
  jpegMetadataMarkers,
  pngWithHeader,
  withExif,
} from "../support/exif_builder.ts";
import { noFace, oneFace, tinyFace, twoFaces, uncroppedPortrait } from "../support/photo_fixtures.ts";
import { type SignedInUser, signInAnonymously, startProjectPlatform } from "../support/preview_fixtures.ts";

const encoder = new TextEncoder();

function form(bytes: Uint8Array, field = "file", filename = "photo.jpg"): FormData {
  const body = new FormData();
  body.append(field, new File([bytes.slice()], filename));
  return body;
}

function upload(
  platform: TestPlatform,
  token: string | null,
  body: BodyInit | null,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${platform.url}/functions/v1/upload-photo`, {
    method: "POST",
    headers: { apikey: platform.anonKey, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
}

async function storedFor(platform: TestPlatform, userId: string): Promise<{ rows: number; objects: number }> {
  const [{ rows }] = await platform.admin<{ rows: number }[]>`
    select count(*)::int as rows from public.photos where user_id = ${userId}`;
  const [{ objects }] = await platform.admin<{ objects: number }[]>`
    select count(*)::int as objects from storage.objects
     where bucket_id = 'photos' and name like ${userId + "/%"}`;
  return { rows, objects };
}

/** The image turned a quarter to the left: what a phone stores when it was held on its side. */
function turnedLeft(image: RgbaImage): RgbaImage {
  const turned = createRgbaImage(image.height, image.width);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 4;
      const to = ((image.width - 1 - x) * image.height + y) * 4;
      turned.data.set(image.data.subarray(from, from + 4), to);
    }
  }
  return turned;
}

/** The one-face photo on a taller white canvas, so its orientation shows in its width and height. */
async function portraitOneFace(): Promise<RgbaImage> {
  const { image } = await oneFace();
  const canvas = createRgbaImage(image.width, Math.round(image.height * 4 / 3));
  canvas.data.fill(255);
  canvas.data.set(image.data, 0);
  return canvas;
}

Deno.test("upload-photo on the local platform", async (t) => {
  const platform = await startProjectPlatform("upload_photo");
  const service = createClient(platform.url, platform.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const download = async (path: string) => {
    const { data, error } = await service.storage.from("photos").download(path);
    assert.equal(error, null);
    return new Uint8Array(await data!.arrayBuffer());
  };
  try {
    const parent: SignedInUser = await signInAnonymously(platform);
    const keys = platform.platform.context.keys;
    const expiredToken = await keys.signAccessToken(
      { sub: parent.id, role: "authenticated", aud: "authenticated" },
      -60,
    );
    const jpeg = (await oneFace()).jpeg;
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(jpeg);

    const catalogue: [string, () => Promise<Response>, number, string][] = [
      ["an empty body", () => upload(platform, parent.accessToken, null), 400, "invalid_request"],
      [
        "a JSON body",
        () => upload(platform, parent.accessToken, '{"file":"x"}', { "content-type": "application/json" }),
        400,
        "invalid_request",
      ],
      [
        "the wrong field name",
        () => upload(platform, parent.accessToken, form(jpeg, "photo")),
        400,
        "invalid_request",
      ],
      [
        "a 0-byte file",
        () => upload(platform, parent.accessToken, form(new Uint8Array(0))),
        400,
        "unreadable_image",
      ],
      [
        "a truncated JPEG",
        () => upload(platform, parent.accessToken, form(jpeg.slice(0, Math.floor(jpeg.length * 0.6)))),
        400,
        "unreadable_image",
      ],
      [
        "a text file named .jpg",
        () => upload(platform, parent.accessToken, form(encoder.encode("a shopping list, not a photo"))),
        415,
        "unsupported_media_type",
      ],
      [
        "a GIF",
        () =>
          upload(
            platform,
            parent.accessToken,
            form(encoder.encode("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "file", "a.gif"),
          ),
        415,
        "unsupported_media_type",
      ],
      [
        "a BMP",
        () =>
          upload(
            platform,
            parent.accessToken,
            form(encoder.encode("BM" + "\x00".repeat(60)), "file", "a.bmp"),
          ),
        415,
        "unsupported_media_type",
      ],
      ["a file over 10 MB", () => upload(platform, parent.accessToken, form(big)), 413, "file_too_large"],
      [
        "a decompression bomb (a 100-byte PNG of 50000 × 50000 pixels)",
        () => upload(platform, parent.accessToken, form(pngWithHeader(50_000, 50_000), "file", "bomb.png")),
        400,
        "image_too_large",
      ],
      [
        "a PNG whose data inflates to far more than its header's 100 × 100 pixels",
        async () =>
          upload(
            platform,
            parent.accessToken,
            form(
              pngWithHeader(100, 100, {
                colourType: 2,
                idat: await deflated(new Uint8Array(24 * 1024 * 1024)),
              }),
              "file",
              "bomb.png",
            ),
          ),
        400,
        "unreadable_image",
      ],
      [
        "a photo with no face (a cat)",
        async () => upload(platform, parent.accessToken, form((await noFace()).jpeg)),
        400,
        "no_face",
      ],
      [
        "two faces",
        async () => upload(platform, parent.accessToken, form((await twoFaces()).jpeg)),
        400,
        "multiple_faces",
      ],
      [
        "a tiny face on a large canvas",
        async () => upload(platform, parent.accessToken, form((await tinyFace()).jpeg)),
        400,
        "face_too_small",
      ],
      [
        "the whole portrait (the face is 5% of it)",
        async () => upload(platform, parent.accessToken, form((await uncroppedPortrait()).jpeg)),
        400,
        "face_too_small",
      ],
      ["no session", () => upload(platform, null, form(jpeg)), 401, "unauthorized"],
      ["an expired session", () => upload(platform, expiredToken, form(jpeg)), 401, "unauthorized"],
      [
        "the anon key instead of a session",
        () => upload(platform, platform.anonKey, form(jpeg)),
        401,
        "unauthorized",
      ],
    ];
    for (const [name, send, status, code] of catalogue) {
      await t.step(`${name} is refused with ${status} ${code} and leaves nothing behind`, async () => {
        const response = await send();
        const body = await response.json();
        assert.equal(response.status, status, JSON.stringify(body));
        assert.equal(body.error?.code, code, JSON.stringify(body));
        assert.equal(typeof body.error.message, "string");
        assert.deepEqual(await storedFor(platform, parent.id), { rows: 0, objects: 0 });
      });
    }

    await t.step("a GET is refused with 405", async () => {
      const response = await fetch(`${platform.url}/functions/v1/upload-photo`, {
        headers: { authorization: `Bearer ${parent.accessToken}` },
      });
      assert.equal(response.status, 405);
      assert.equal((await response.json()).error.code, "method_not_allowed");
    });

    await t.step(
      "the 21st upload within an hour is refused with 429 and says when to come back",
      async () => {
        const busy = await signInAnonymously(platform);
        await platform.admin`
        insert into internal.photo_upload_attempts (user_id, attempted_at)
        select ${busy.id}::uuid, now() - interval '10 minutes' from generate_series(1, 20)`;
        const response = await upload(platform, busy.accessToken, form(jpeg));
        const body = await response.json();
        assert.equal(response.status, 429);
        assert.equal(body.error.code, "rate_limited");
        const retryAfter = Number(response.headers.get("retry-after"));
        assert.ok(retryAfter > 2900 && retryAfter <= 3000, `Retry-After ${retryAfter}`);
        assert.deepEqual(await storedFor(platform, busy.id), { rows: 0, objects: 0 });
      },
    );

    await t.step(
      "a JPEG, a PNG and a WebP of one child are each stored as a private JPEG with the face",
      async () => {
        const owner = await signInAnonymously(platform);
        const { image } = await oneFace();
        const webp = new Uint8Array(
          await encodeWebp(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height)),
        );
        for (const [format, bytes] of [["jpeg", jpeg], ["png", encodePng(image)], ["webp", webp]] as const) {
          const response = await upload(platform, owner.accessToken, form(bytes, "file", `photo.${format}`));
          const body = await response.json();
          assert.equal(response.status, 201, `${format}: ${JSON.stringify(body)}`);
          assert.deepEqual(Object.keys(body).sort(), ["face", "height", "photo_id", "width"]);
          assert.deepEqual([body.width, body.height], [image.width, image.height]);
          assert.ok(body.face.confidence > 0.5 && body.face.confidence <= 1, `${format}: confidence`);
          assert.ok(body.face.area_percent >= 10, `${format}: area ${body.face.area_percent}`);
          const { x, y, width, height } = body.face.box;
          assert.ok(x >= 0 && y >= 0 && x + width <= image.width && y + height <= image.height);

          const [row] = await platform.admin`select * from public.photos where id = ${body.photo_id}`;
          assert.equal(row.user_id, owner.id);
          assert.equal(row.storage_path, `${owner.id}/${body.photo_id}.jpg`);
          assert.deepEqual(row.face_box, body.face.box);
          const stored = await download(row.storage_path);
          assert.deepEqual(readJpegHeader(stored).width, image.width);
        }
        assert.deepEqual(await storedFor(platform, owner.id), { rows: 3, objects: 3 });
      },
    );

    await t.step("the owner can read their photo's row, another parent cannot", async () => {
      const owner = await signInAnonymously(platform);
      const response = await upload(platform, owner.accessToken, form(jpeg));
      const { photo_id } = await response.json();
      const readAs = async (token: string) => {
        const rows = await platform.admin.begin(async (tx) => {
          await tx`select set_config('role', 'authenticated', true),
                          set_config('request.jwt.claims', ${
            JSON.stringify(JSON.parse(atob(token.split(".")[1])))
          }, true)`;
          return await tx`select id from public.photos where id = ${photo_id}`;
        });
        return rows.length;
      };
      assert.equal(await readAs(owner.accessToken), 1);
      assert.equal(await readAs(parent.accessToken), 0);
    });

    await t.step("a photo taken sideways is stored upright: its EXIF orientation is applied", async () => {
      const owner = await signInAnonymously(platform);
      const upright = await portraitOneFace();
      const sideways = withExif(encodeJpeg(turnedLeft(upright), { quality: 90 }), { orientation: 6 });
      const response = await upload(platform, owner.accessToken, form(sideways));
      const body = await response.json();
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.deepEqual([body.width, body.height], [upright.width, upright.height], "portrait, not landscape");
      const stored = await download(`${owner.id}/${body.photo_id}.jpg`);
      const header = readJpegHeader(stored);
      assert.deepEqual([header.width, header.height], [upright.width, upright.height]);
    });

    await t.step("a photo with GPS and camera tags is stored with no metadata at all", async () => {
      const owner = await signInAnonymously(platform);
      const tagged = withExif(jpeg, { gps: { latitude: 51.5007, longitude: -0.1246 }, make: "PhoneMaker" });
      assert.ok(findBytes(tagged, "PhoneMaker") > 0, "the input does carry the tags");
      const response = await upload(platform, owner.accessToken, form(tagged));
      const body = await response.json();
      assert.equal(response.status, 201, JSON.stringify(body));
      const stored = await download(`${owner.id}/${body.photo_id}.jpg`);
      assert.deepEqual(jpegMetadataMarkers(stored), [], "no APP1–APP15 or COM segment");
      assert.equal(findBytes(stored, "Exif"), -1);
      assert.equal(findBytes(stored, "PhoneMaker"), -1);
    });
  } finally {
    await platform.close();
  }
});
