import assert from "node:assert/strict";
import type { UserClaims } from "../_shared/auth.ts";
import { ApiError } from "../_shared/http.ts";
import { themeStoryContent } from "../_shared/story_content/theme_catalogue.ts";
import { createPreviewsHandler, type PreviewsConfig, type PreviewsDeps } from "./handler.ts";
import type {
  NewPreview,
  PageRow,
  PreviewProgress,
  PreviewRecord,
  PreviewStore,
  RetryOutcome,
} from "./preview_store.ts";

const NOW = new Date("2026-11-22T10:00:00Z");
const USER: UserClaims = { sub: "7d4c8f7e-5b0a-4a44-9a43-6f0f5a1f2b11", role: "authenticated" };
const PREVIEW_ID = "0b7e9a52-3f1c-4d7e-8f60-1d2c3b4a5e6f";
const PHOTO_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

const CONFIG: PreviewsConfig = {
  bookPrice: 34.99,
  bookCurrency: "EUR",
  checkoutUrlTemplate: "https://shop.example/checkout?preview_id={preview_id}",
  previewUrlTtlSeconds: 300,
  pageSecondsEstimate: 20,
};

class PostgresErrorLike extends Error {
  override readonly name = "PostgresError";
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

interface Fakes {
  created: NewPreview[];
  signed: { bucket: string; paths: string[]; ttl: number }[];
}

function pages(overrides: (page: PageRow) => Partial<PageRow> = () => ({})): PageRow[] {
  return Array.from({ length: 11 }, (_, n) => {
    const page: PageRow = {
      page_number: n,
      body_text: `text ${n}`,
      is_locked: n > 5,
      status: n <= 5 ? "done" : "pending",
      preview_path: n <= 5 ? `${USER.sub}/${PREVIEW_ID}/${n}-lease.jpg` : null,
      illustrated_by: n <= 5 ? "talecraft-illustrator" : null,
    };
    return { ...page, ...overrides(page) };
  });
}

function record(overrides: Partial<PreviewRecord["story"]> = {}): PreviewRecord {
  return {
    story: {
      id: PREVIEW_ID,
      title: "Mia and the Enchanted Forest",
      theme_id: "enchanted_forest",
      style: "cartoon_3d",
      status: "completed",
      dedication: null,
      expires_at: new Date("2026-11-29T10:00:00Z"),
      purchased_at: null,
      ...overrides,
    },
    pages: pages(),
  };
}

function setup(store: Partial<PreviewStore> = {}, deps: Partial<PreviewsDeps> = {}) {
  const fakes: Fakes = { created: [], signed: [] };
  const handler = createPreviewsHandler({
    authenticate: (request) => {
      if (request.headers.get("authorization") !== "Bearer user-token") {
        return Promise.reject(new ApiError(401, "unauthorized", "no session"));
      }
      return Promise.resolve(USER);
    },
    previews: {
      create: (preview) => {
        fakes.created.push(preview);
        return Promise.resolve({ previewId: PREVIEW_ID, jobId: "job-1" });
      },
      find: () => Promise.resolve(null),
      progress: () => Promise.resolve(null),
      retry: () => Promise.resolve<RetryOutcome>({ kind: "not_found" }),
      ...store,
    },
    objects: {
      signedUrls: (bucket, paths, ttl) => {
        fakes.signed.push({ bucket, paths, ttl });
        return Promise.resolve(
          new Map(paths.map((path) => [path, `https://signed.example/${path}?token=t`])),
        );
      },
    },
    storyContent: themeStoryContent,
    clock: { now: () => NOW },
    config: CONFIG,
    ...deps,
  });
  return { handler, fakes };
}

function request(method: string, path: string, body?: unknown, token = "user-token"): Request {
  return new Request(`http://functions.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const VALID_BODY = {
  photo_id: PHOTO_ID,
  child_name: "Mia",
  child_age: 5,
  pronouns: "she",
  theme: "enchanted_forest",
  style: "cartoon_3d",
};

Deno.test("POST /previews queues a personalised story and answers 202 with the job", async () => {
  const { handler, fakes } = setup();
  const response = await handler(
    request("POST", "/previews", { ...VALID_BODY, dedication: "For Mia, with love" }),
  );
  assert.equal(response.status, 202);
  assert.deepEqual(await response.json(), {
    preview_id: PREVIEW_ID,
    job_id: "job-1",
    status: "queued",
    estimated_time_seconds: 40,
  });
  const [created] = fakes.created;
  assert.equal(created.userId, USER.sub);
  assert.equal(created.dedication, "For Mia, with love");
  assert.equal(created.pages.length, 11);
  assert.ok(created.title.includes("Mia"));
  assert.deepEqual(created.pages.map((page) => page.page_number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(created.pages.every((page) => !("scene" in page)), "scenes are not stored with the story");
});

Deno.test("POST /previews accepts names in the scripts the book prints, with apostrophes, hyphens and periods", async (t) => {
  for (const name of ["Zoë", "Chloé-Anne", "O'Brien", "J. R.", "Сергей", "Nguyễn", "Łucja"]) {
    await t.step(name, async () => {
      const { handler, fakes } = setup();
      const response = await handler(request("POST", "/previews", { ...VALID_BODY, child_name: name }));
      assert.equal(response.status, 202);
      assert.equal(fakes.created[0].childName, name);
    });
  }
});

Deno.test("POST /previews refuses a name or dedication the printed book cannot show, naming the characters", async () => {
  for (const body of [{ child_name: "美咲" }, { dedication: "For Mia 🦄" }]) {
    const { handler, fakes } = setup();
    const response = await handler(request("POST", "/previews", { ...VALID_BODY, ...body }));
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.code, "invalid_request");
    assert.match(error.message, /cannot be printed in the book: "(美", "咲|🦄)"/);
    assert.deepEqual(fakes.created, []);
  }
});

Deno.test("POST /previews rejects an invalid field with 400 invalid_request naming the field", async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    ["photo_id", { photo_id: "not-a-uuid" }],
    ["photo_id", { photo_id: undefined }],
    ["child_name", { child_name: "" }],
    ["child_name", { child_name: "   " }],
    ["child_name", { child_name: "x".repeat(41) }],
    ["child_name", { child_name: "Mia<script>" }],
    ["child_name", { child_name: "R2D2" }],
    ["child_age", { child_age: 1 }],
    ["child_age", { child_age: 13 }],
    ["child_age", { child_age: 4.5 }],
    ["child_age", { child_age: "5" }],
    ["pronouns", { pronouns: "it" }],
    ["style", { style: "watercolour" }],
    ["theme", { theme: "" }],
    ["dedication", { dedication: "x".repeat(201) }],
  ];
  for (const [field, change] of cases) {
    await t.step(`${field} = ${JSON.stringify(change[field])}`, async () => {
      const { handler, fakes } = setup();
      const response = await handler(request("POST", "/previews", { ...VALID_BODY, ...change }));
      assert.equal(response.status, 400);
      const body = await response.json();
      assert.equal(body.error.code, "invalid_request");
      assert.ok(body.error.message.startsWith(`${field}:`), body.error.message);
      assert.equal(fakes.created.length, 0);
    });
  }
});

Deno.test("POST /previews rejects a body that is not a JSON object, or not sent as JSON", async () => {
  const { handler, fakes } = setup();
  const post = (body: string, contentType: string) =>
    handler(
      new Request("http://functions.test/previews", {
        method: "POST",
        headers: { authorization: "Bearer user-token", "content-type": contentType },
        body,
      }),
    );
  const answers = [
    await post("child_name=Mia", "application/json"),
    await handler(request("POST", "/previews", [VALID_BODY])),
    await post(JSON.stringify(VALID_BODY), "text/plain"),
    await post(JSON.stringify(VALID_BODY), "application/x-www-form-urlencoded"),
  ];
  assert.deepEqual(
    await Promise.all(answers.map(async (answer) => [answer.status, (await answer.json()).error.code])),
    [
      [400, "invalid_request"],
      [400, "invalid_request"],
      [415, "unsupported_media_type"],
      [415, "unsupported_media_type"],
    ],
  );
  assert.equal(fakes.created.length, 0);
});

Deno.test("POST /previews names an unknown field rather than dropping it (a misspelt dedication)", async () => {
  const { handler, fakes } = setup();
  const response = await handler(request("POST", "/previews", { ...VALID_BODY, dedicaton: "For Mia" }));
  assert.equal(response.status, 400);
  const { error } = await response.json();
  assert.equal(error.code, "invalid_request");
  assert.match(error.message, /unknown fields: dedicaton/);
  assert.equal(fakes.created.length, 0);
});

Deno.test("POST /previews refuses a body over 64 KB with 413 before parsing it", async () => {
  const { handler, fakes } = setup();
  const response = await handler(
    request("POST", "/previews", { ...VALID_BODY, dedication: "x".repeat(70_000) }),
  );
  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.code, "payload_too_large");
  assert.equal(fakes.created.length, 0);
});

Deno.test("POST /previews answers 401 without a session and touches nothing", async () => {
  const { handler, fakes } = setup();
  const response = await handler(request("POST", "/previews", VALID_BODY, "forged"));
  assert.equal(response.status, 401);
  assert.deepEqual(await response.json(), { error: { code: "unauthorized", message: "no session" } });
  assert.equal(fakes.created.length, 0);
});

Deno.test("POST /previews maps the database's not-found and rate-limit errors", async (t) => {
  const failing = (error: Error) => setup({ create: () => Promise.reject(error) }).handler;
  await t.step("unknown photo → 404 photo_not_found", async () => {
    const response = await failing(new PostgresErrorLike("TC404", "photo x not found", "photo"))(
      request("POST", "/previews", VALID_BODY),
    );
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, "photo_not_found");
  });
  await t.step("unknown theme → 404 theme_not_found", async () => {
    const response = await failing(new PostgresErrorLike("TC404", "theme x not found", "theme"))(
      request("POST", "/previews", VALID_BODY),
    );
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, "theme_not_found");
  });
  await t.step("a fourth active generation → 429 with Retry-After", async () => {
    const response = await failing(new PostgresErrorLike("TC429", "too many active generations"))(
      request("POST", "/previews", VALID_BODY),
    );
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "40");
    assert.equal((await response.json()).error.code, "too_many_active_generations");
  });
});

Deno.test("POST /previews answers 404 theme_not_found when the theme has no story content", async () => {
  const { handler, fakes } = setup({}, { storyContent: () => null });
  const response = await handler(request("POST", "/previews", VALID_BODY));
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, "theme_not_found");
  assert.equal(fakes.created.length, 0);
});

Deno.test("an unexpected failure is a 500 internal_error that reveals nothing", async () => {
  const logged: string[] = [];
  const originalError = console.error;
  console.error = (line: string) => logged.push(line);
  try {
    const { handler } = setup({ create: () => Promise.reject(new Error("connection to 10.0.0.3 refused")) });
    const response = await handler(request("POST", "/previews", VALID_BODY));
    assert.equal(response.status, 500);
    const body = await response.json();
    assert.equal(body.error.code, "internal_error");
    assert.ok(!body.error.message.includes("10.0.0.3"));
    const [line] = logged;
    assert.ok(line.includes("10.0.0.3"), "the details go to the log");
    assert.ok(body.error.message.includes(JSON.parse(line).error_id), "the response names the log entry");
  } finally {
    console.error = originalError;
  }
});

Deno.test("GET /previews/{id} signs the cover and pages 1–5 and locks pages 6–10", async () => {
  const { handler, fakes } = setup({ find: () => Promise.resolve(record()) });
  const response = await handler(request("GET", `/previews/${PREVIEW_ID}`));
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.preview_id, PREVIEW_ID);
  assert.equal(body.title, "Mia and the Enchanted Forest");
  assert.equal(body.theme, "enchanted_forest");
  assert.equal(body.style, "cartoon_3d");
  assert.equal(body.status, "completed");
  assert.equal(body.expires_at, "2026-11-29T10:00:00.000Z");
  assert.equal(body.cover.page_number, 0);
  assert.match(body.cover.image_url, /^https:\/\/signed\.example\/.*0-lease\.jpg\?token=t$/);
  assert.deepEqual(body.pages.map((page: { page_number: number }) => page.page_number), [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
  ]);
  for (const page of body.pages.slice(0, 5)) {
    assert.equal(page.locked, false);
    assert.ok(page.image_url.includes(`${page.page_number}-lease.jpg`));
  }
  for (const page of body.pages.slice(5)) {
    assert.equal(page.locked, true);
    assert.equal(page.image_url, null);
    assert.equal(page.text, `text ${page.page_number}`);
  }
  assert.deepEqual(fakes.signed.map(({ bucket, ttl }) => ({ bucket, ttl })), [{
    bucket: "previews",
    ttl: 300,
  }]);
  assert.equal(fakes.signed[0].paths.length, 6);
  assert.equal(body.image_urls_expire_at, "2026-11-22T10:05:00.000Z");
  assert.deepEqual(body.purchase, {
    price: 34.99,
    currency: "EUR",
    checkout_url: `https://shop.example/checkout?preview_id=${PREVIEW_ID}`,
  });
});

Deno.test("GET /previews/{id} of a page still drawing shows its text and no image", async () => {
  const inProgress = record({ status: "processing" });
  inProgress.pages = pages((page) => page.page_number >= 3 ? { status: "queued", preview_path: null } : {});
  const { handler, fakes } = setup({ find: () => Promise.resolve(inProgress) });
  const body = await (await handler(request("GET", `/previews/${PREVIEW_ID}`))).json();
  assert.equal(fakes.signed[0].paths.length, 3);
  assert.equal(body.pages[2].status, "queued");
  assert.equal(body.pages[2].image_url, null);
});

Deno.test("GET /previews/{id} of an expired preview hands out no image and no checkout", async () => {
  const { handler, fakes } = setup({ find: () => Promise.resolve(record({ status: "expired" })) });
  const body = await (await handler(request("GET", `/previews/${PREVIEW_ID}`))).json();
  assert.equal(body.status, "expired");
  assert.equal(body.cover.image_url, null);
  assert.equal(body.purchase, null);
  assert.deepEqual(fakes.signed[0].paths, []);
});

Deno.test("GET /previews/{id} answers 404 preview_not_found for a preview the caller cannot see", async (t) => {
  const { handler } = setup();
  for (const path of [`/previews/${PREVIEW_ID}`, `/previews/${PREVIEW_ID}/status`, "/previews/not-a-uuid"]) {
    await t.step(path, async () => {
      const response = await handler(request("GET", path));
      assert.equal(response.status, 404);
      assert.equal((await response.json()).error.code, "preview_not_found");
    });
  }
});

function progress(
  overrides: Partial<PreviewProgress["job"]>,
  pageStates: PreviewProgress["pages"],
): PreviewProgress {
  return {
    job: {
      id: "job-1",
      status: "processing",
      current_step: "drawing the pages",
      pages_completed: 1,
      total_pages: 6,
      error: null,
      started_at: new Date(NOW.getTime() - 30_000),
      ...overrides,
    },
    pages: pageStates,
  };
}

Deno.test("GET /previews/{id}/status reports progress from the job's rows", async () => {
  const pageStates = [
    { page_number: 0, status: "done" as const, started_at: new Date(NOW.getTime() - 30_000) },
    ...[1, 2, 3, 4, 5].map((n) => ({
      page_number: n,
      status: "generating" as const,
      started_at: new Date(NOW.getTime() - 5_000),
    })),
  ];
  const { handler } = setup({ progress: () => Promise.resolve(progress({}, pageStates)) });
  const response = await handler(request("GET", `/previews/${PREVIEW_ID}/status`));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    job_id: "job-1",
    status: "processing",
    progress: 17,
    current_step: "drawing the pages",
    pages_completed: 1,
    total_pages: 6,
    estimated_remaining_seconds: 15,
  });
});

Deno.test("GET /previews/{id}/status counts two image latencies while the cover is still queued", async () => {
  const pageStates = [{ page_number: 0, status: "queued" as const, started_at: null }];
  const { handler } = setup({
    progress: () =>
      Promise.resolve(progress({ status: "queued", pages_completed: 0, current_step: "queued" }, pageStates)),
  });
  const body = await (await handler(request("GET", `/previews/${PREVIEW_ID}/status`))).json();
  assert.equal(body.progress, 0);
  assert.equal(body.estimated_remaining_seconds, 40);
});

Deno.test("GET /previews/{id}/status of a failed job carries the error for the parent", async () => {
  const { handler } = setup({
    progress: () =>
      Promise.resolve(
        progress({ status: "failed", current_step: "failed", error: "We could not draw page 3." }, []),
      ),
  });
  const body = await (await handler(request("GET", `/previews/${PREVIEW_ID}/status`))).json();
  assert.equal(body.status, "failed");
  assert.equal(body.error, "We could not draw page 3.");
  assert.equal(body.estimated_remaining_seconds, 0);
});

Deno.test("POST /previews/{id}/retry re-queues failed pages, or says there is nothing to retry", async (t) => {
  await t.step("failed pages → 202", async () => {
    const { handler } = setup({ retry: () => Promise.resolve({ kind: "requeued", pages: 2 }) });
    const response = await handler(request("POST", `/previews/${PREVIEW_ID}/retry`));
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { preview_id: PREVIEW_ID, requeued: 2 });
  });
  await t.step("no failed job → 409 nothing_to_retry", async () => {
    const { handler } = setup({ retry: () => Promise.resolve({ kind: "requeued", pages: 0 }) });
    const response = await handler(request("POST", `/previews/${PREVIEW_ID}/retry`));
    assert.equal(response.status, 409);
    assert.equal((await response.json()).error.code, "nothing_to_retry");
  });
  await t.step("retries used up → 409 retry_limit_reached", async () => {
    const { handler } = setup({ retry: () => Promise.resolve({ kind: "retry_limit_reached" }) });
    const response = await handler(request("POST", `/previews/${PREVIEW_ID}/retry`));
    assert.equal(response.status, 409);
    assert.equal((await response.json()).error.code, "retry_limit_reached");
  });
  await t.step("someone else's preview → 404", async () => {
    const { handler } = setup();
    const response = await handler(request("POST", `/previews/${PREVIEW_ID}/retry`));
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, "preview_not_found");
  });
});

Deno.test("the previews function answers preflights, unknown routes and wrong methods in the one error shape", async () => {
  const { handler } = setup();
  const preflight = await handler(new Request("http://functions.test/previews", { method: "OPTIONS" }));
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");

  const unknown = await handler(request("GET", `/previews/${PREVIEW_ID}/pdf`));
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, "not_found");

  const wrongMethod = await handler(request("DELETE", `/previews/${PREVIEW_ID}`));
  assert.equal(wrongMethod.status, 405);
  assert.equal((await wrongMethod.json()).error.code, "method_not_allowed");
});
