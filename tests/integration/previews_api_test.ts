/**
 * The previews function as the platform serves it (real Auth tokens verified through JWKS, row level security
 * as the caller, the project's migrations): validation, ownership, the active-generation limit, reads, retry.
 */
import assert from "node:assert/strict";
import type { TestPlatform } from "../../platform/tests/support/test_platform.ts";
import {
  type SignedInUser,
  signInAnonymously,
  solidJpeg,
  startProjectPlatform,
  storePhoto,
} from "../support/preview_fixtures.ts";

interface PreviewBody {
  preview_id: string;
  theme: string;
  style: string;
  expires_at: string;
  image_urls_expire_at: string;
  cover: { image_url: string | null };
  pages: { locked: boolean; text: string; image_url: string | null }[];
  purchase: { price: unknown; currency: string; checkout_url: string };
}

async function call(
  platform: TestPlatform,
  user: SignedInUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<
  {
    status: number;
    headers: Headers;
    body: Record<string, unknown> & { error?: { code: string; message: string } };
  }
> {
  const response = await fetch(`${platform.url}/functions/v1/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${user.accessToken}`,
      apikey: platform.anonKey,
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

Deno.test("the previews API on the local platform", async (t) => {
  const platform = await startProjectPlatform("previews_api");
  try {
    const owner = await signInAnonymously(platform);
    const stranger = await signInAnonymously(platform);
    const ownerPhoto = await storePhoto(platform, owner.id);
    const request = (overrides: Record<string, unknown> = {}) => ({
      photo_id: ownerPhoto,
      child_name: "Zoë O'Brien-Smith",
      child_age: 5,
      pronouns: "they",
      theme: "enchanted_forest",
      style: "cartoon_3d",
      dedication: "For our brave explorer",
      ...overrides,
    });
    let previewId = "";
    /** Leaves page 1 as fail_page does: failed under its job, and the job failed with a message. */
    const failPageOne = async (storyId: string) => {
      await platform.admin`update public.story_pages p
                             set status = 'failed', last_error = 'provider_error: down',
                                 job_id = (select j.id from public.generation_jobs j where j.story_id = p.story_id)
                           where p.story_id = ${storyId} and p.page_number = 1`;
      await platform
        .admin`update public.generation_jobs set status = 'failed', error = 'We could not draw page 1.'
                           where story_id = ${storyId}`;
    };

    await t.step("invalid fields are refused with 400 invalid_request naming the field", async () => {
      for (
        const [field, value] of [
          ["child_age", 13],
          ["child_name", ""],
          ["pronouns", "it"],
          ["style", "oil"],
          ["photo_id", "123"],
        ] as const
      ) {
        const response = await call(platform, owner, "POST", "previews", request({ [field]: value }));
        assert.equal(response.status, 400, field);
        assert.equal(response.body.error?.code, "invalid_request");
        assert.ok(response.body.error?.message.startsWith(`${field}:`), response.body.error?.message);
      }
    });

    await t.step("an unknown theme or another user's photo is 404", async () => {
      const theme = await call(platform, owner, "POST", "previews", request({ theme: "moon_base" }));
      assert.equal(theme.status, 404);
      assert.equal(theme.body.error?.code, "theme_not_found");
      const photo = await call(platform, stranger, "POST", "previews", request());
      assert.equal(photo.status, 404);
      assert.equal(photo.body.error?.code, "photo_not_found");
    });

    await t.step("a preview is created: 202 with the job, cover queued", async () => {
      const response = await call(platform, owner, "POST", "previews", request());
      assert.equal(response.status, 202);
      assert.equal(response.body.status, "queued");
      assert.equal(typeof response.body.estimated_time_seconds, "number");
      previewId = response.body.preview_id as string;
      const [story] = await platform.admin`select user_id, child_name, title, dedication from public.stories
                                            where id = ${previewId}`;
      assert.equal(story.user_id, owner.id);
      assert.equal(story.child_name, "Zoë O'Brien-Smith");
      assert.ok(story.title.includes("Zoë O'Brien-Smith"));
      const [job] = await platform.admin`select id from public.generation_jobs where story_id = ${previewId}`;
      assert.equal(response.body.job_id, job.id);
    });

    await t.step(
      "the owner reads the preview: pages 6–10 locked, purchase details, no image before it is drawn",
      async () => {
        const response = await call(platform, owner, "GET", `previews/${previewId}`);
        assert.equal(response.status, 200);
        const body = response.body as unknown as PreviewBody;
        assert.equal(body.preview_id, previewId);
        assert.equal(body.theme, "enchanted_forest");
        assert.equal(body.style, "cartoon_3d");
        assert.equal(body.cover.image_url, null);
        assert.deepEqual(body.pages.map((page) => page.locked), [
          false,
          false,
          false,
          false,
          false,
          true,
          true,
          true,
          true,
          true,
        ]);
        assert.ok(body.pages.every((page) => page.text.length > 0));
        assert.equal(typeof body.purchase.price, "number");
        assert.ok(body.purchase.checkout_url.includes(previewId));
        assert.ok(Date.parse(body.expires_at) > Date.now());
      },
    );

    await t.step("a drawn page comes with a short-lived signed URL of its watermarked image", async () => {
      const path = `${owner.id}/${previewId}/0-test.jpg`;
      const jpeg = solidJpeg(64, [10, 200, 10]);
      const upload = await fetch(`${platform.url}/storage/v1/object/previews/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${platform.serviceRoleKey}`, "content-type": "image/jpeg" },
        body: jpeg as Uint8Array<ArrayBuffer>,
      });
      assert.equal(upload.status, 200);
      await upload.body?.cancel();
      await platform.admin`update public.story_pages set status = 'done', preview_path = ${path}
                            where story_id = ${previewId} and page_number = 0`;
      const body = (await call(platform, owner, "GET", `previews/${previewId}`))
        .body as unknown as PreviewBody;
      const ttlSeconds = (Date.parse(body.image_urls_expire_at) - Date.now()) / 1000;
      assert.ok(ttlSeconds <= 600, `URLs live at most 10 minutes (${ttlSeconds} s)`);
      const image = await fetch(body.cover.image_url!);
      assert.equal(image.status, 200);
      assert.deepEqual(new Uint8Array(await image.arrayBuffer()), jpeg);
    });

    await t.step("the owner polls the status", async () => {
      const response = await call(platform, owner, "GET", `previews/${previewId}/status`);
      assert.equal(response.status, 200);
      assert.equal(response.body.total_pages, 6);
      assert.equal(response.body.progress, 0);
      assert.ok(["queued", "processing"].includes(response.body.status as string));
      assert.equal(typeof response.body.estimated_remaining_seconds, "number");
      assert.ok(!("error" in response.body));
    });

    await t.step("another user gets 404 for the preview, its status and its retry", async () => {
      for (
        const [method, path] of [
          ["GET", `previews/${previewId}`],
          ["GET", `previews/${previewId}/status`],
          ["POST", `previews/${previewId}/retry`],
        ]
      ) {
        const response = await call(platform, stranger, method, path);
        assert.equal(response.status, 404, path);
        assert.equal(response.body.error?.code, "preview_not_found");
      }
    });

    await t.step(
      "retry without a failed job is 409 nothing_to_retry; with one it re-queues the failed page",
      async () => {
        const nothing = await call(platform, owner, "POST", `previews/${previewId}/retry`);
        assert.equal(nothing.status, 409);
        assert.equal(nothing.body.error?.code, "nothing_to_retry");

        await failPageOne(previewId);
        const failedStatus = await call(platform, owner, "GET", `previews/${previewId}/status`);
        assert.equal(failedStatus.body.status, "failed");
        assert.equal(failedStatus.body.error, "We could not draw page 1.");

        const retried = await call(platform, owner, "POST", `previews/${previewId}/retry`);
        assert.equal(retried.status, 202);
        assert.deepEqual(retried.body, { preview_id: previewId, requeued: 1 });
        const [page] = await platform.admin`select status from public.story_pages
                                           where story_id = ${previewId} and page_number = 1`;
        assert.equal(page.status, "queued");
      },
    );

    await t.step("a story that has used its retries gets 409 retry_limit_reached", async () => {
      const [{ max_story_retries: maxRetries }] = await platform.admin`
        select max_story_retries from internal.pipeline_settings`;
      for (let retry = 2; retry <= maxRetries; retry++) {
        await failPageOne(previewId);
        assert.equal((await call(platform, owner, "POST", `previews/${previewId}/retry`)).status, 202);
      }
      await failPageOne(previewId);
      const refused = await call(platform, owner, "POST", `previews/${previewId}/retry`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error?.code, "retry_limit_reached");
    });

    await t.step("a fourth active generation is refused with 429 and Retry-After", async () => {
      // The owner's first preview has failed for good, so it no longer counts.
      for (let n = 0; n < 3; n++) {
        assert.equal((await call(platform, owner, "POST", "previews", request())).status, 202);
      }
      const fourth = await call(platform, owner, "POST", "previews", request());
      assert.equal(fourth.status, 429);
      assert.equal(fourth.body.error?.code, "too_many_active_generations");
      assert.ok(Number(fourth.headers.get("retry-after")) > 0);
      // Another user is not affected by the owner's limit.
      const strangerPhoto = await storePhoto(platform, stranger.id);
      assert.equal(
        (await call(platform, stranger, "POST", "previews", request({ photo_id: strangerPhoto }))).status,
        202,
      );
    });

    await t.step("a request without a valid session is 401 in the API's error shape", async () => {
      const expired = await platform.platform.context.keys.signAccessToken(
        { sub: owner.id, role: "authenticated", aud: "authenticated" },
        -60,
      );
      for (const authorization of [`Bearer ${platform.anonKey}`, `Bearer ${expired}`, null]) {
        const response = await fetch(`${platform.url}/functions/v1/previews/${previewId}`, {
          headers: { apikey: platform.anonKey, ...(authorization ? { authorization } : {}) },
        });
        assert.equal(response.status, 401);
        assert.equal((await response.json()).error.code, "unauthorized");
      }
    });
  } finally {
    await platform.close();
  }
});
