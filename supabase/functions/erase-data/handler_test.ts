import assert from "node:assert/strict";
import type { UserClaims } from "../_shared/auth.ts";
import { ApiError } from "../_shared/http.ts";
import type { StoredObject } from "../_shared/storage.ts";
import { createEraseDataHandler } from "./handler.ts";

const USER: UserClaims = { sub: "7d4c8f7e-5b0a-4a44-9a43-6f0f5a1f2b11", role: "authenticated" };
const URL_ = "http://localhost/functions/v1/erase-data";

function setup(options: { objects?: StoredObject[]; failRemoveOf?: string } = {}) {
  const steps: string[] = [];
  const logs: string[] = [];
  let objects = options.objects ?? [];
  let rows = { photos: 2, stories: 1 };
  const handler = createEraseDataHandler({
    authenticate: (request) =>
      request.headers.get("authorization") === "Bearer user-token"
        ? Promise.resolve(USER)
        : Promise.reject(new ApiError(401, "unauthorized", "no session")),
    erasure: {
      objectsOf: (userId) => {
        steps.push(`list ${userId}`);
        return Promise.resolve(objects);
      },
      eraseRows: (userId) => {
        steps.push(`erase ${userId}`);
        const erased = rows;
        rows = { photos: 0, stories: 0 };
        return Promise.resolve(erased);
      },
    },
    objects: {
      remove: (bucket, paths) => {
        if (bucket === options.failRemoveOf) return Promise.reject(new Error(`${bucket} unavailable`));
        steps.push(`remove ${bucket} ${paths.join(",")}`);
        objects = objects.filter((object) => object.bucket !== bucket);
        return Promise.resolve();
      },
    },
    log: (line) => logs.push(line),
  });
  const call = () =>
    handler(new Request(URL_, { method: "POST", headers: { authorization: "Bearer user-token" } }));
  return { handler, call, steps, logs };
}

const OBJECTS: StoredObject[] = [
  { bucket: "photos", path: `${USER.sub}/p1.jpg` },
  { bucket: "photos", path: `${USER.sub}/p2.jpg` },
  { bucket: "previews", path: `${USER.sub}/s1/0-a.jpg` },
  { bucket: "pages", path: "s1/0-a.png" },
];

Deno.test("erase-data deletes the files bucket by bucket, then the rows, and reports the counts", async () => {
  const { call, steps } = setup({ objects: OBJECTS });
  const response = await call();
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { erased: { photos: 2, stories: 1, files: 4 } });
  assert.deepEqual(steps, [
    `list ${USER.sub}`,
    `remove photos ${USER.sub}/p1.jpg,${USER.sub}/p2.jpg`,
    `remove previews ${USER.sub}/s1/0-a.jpg`,
    "remove pages s1/0-a.png",
    `erase ${USER.sub}`,
  ]);
});

Deno.test("erase-data called again answers with zeros: it is idempotent", async () => {
  const { call } = setup({ objects: OBJECTS });
  await call();
  assert.deepEqual(await (await call()).json(), { erased: { photos: 0, stories: 0, files: 0 } });
});

Deno.test("erase-data keeps the rows when a file cannot be deleted, so calling again finishes the job", async () => {
  const { call, steps } = setup({ objects: OBJECTS, failRemoveOf: "previews" });
  const response = await call();
  assert.equal(response.status, 500);
  assert.ok(!steps.some((step) => step.startsWith("erase")), "no row was erased");
});

Deno.test("erase-data needs a signed-in user (401) and POST (405)", async () => {
  const { handler, steps } = setup({ objects: OBJECTS });
  assert.equal((await handler(new Request(URL_, { method: "POST" }))).status, 401);
  assert.equal((await handler(new Request(URL_))).status, 405);
  assert.deepEqual(steps, []);
});

Deno.test("erase-data logs counts only, never the user or a path", async () => {
  const { call, logs } = setup({ objects: OBJECTS });
  await call();
  assert.deepEqual(logs.map((line) => JSON.parse(line)), [
    { event: "user_data_erased", photos: 2, stories: 1, files: 4 },
  ]);
});
