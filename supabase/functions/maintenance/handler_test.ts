import assert from "node:assert/strict";
import type { ExpiredStory, ExpiryStore, StoredObject } from "./expiry_store.ts";
import { createMaintenanceHandler } from "./handler.ts";

const SERVICE_KEY = "service-role-key";
const FRESH: ExpiredStory = { storyId: "story-fresh", userId: "user-a" };
const LEFT_OVER: ExpiredStory = { storyId: "story-left-over", userId: "user-b" };

function setup(options: { failRemove?: boolean } = {}) {
  const calls: string[] = [];
  const removed: StoredObject[] = [];
  const expiry: ExpiryStore = {
    expirePreviews: () => {
      calls.push("expire");
      return Promise.resolve([FRESH]);
    },
    expiredWithImages: () => Promise.resolve([LEFT_OVER, FRESH]),
    objectsOf: (stories) => {
      calls.push(`objects:${stories.map((story) => story.storyId).join(",")}`);
      return Promise.resolve(stories.flatMap((story) => [
        { bucket: "previews", path: `${story.userId}/${story.storyId}/0-lease.jpg` },
        { bucket: "pages", path: `${story.storyId}/0/lease.jpg` },
      ]));
    },
    forgetImages: (storyIds) => {
      calls.push(`forget:${storyIds.join(",")}`);
      return Promise.resolve(storyIds.length * 6);
    },
  };
  const handler = createMaintenanceHandler({
    expiry,
    objects: {
      remove: (bucket, paths) => {
        if (options.failRemove) return Promise.reject(new Error("storage unavailable"));
        calls.push(`remove:${bucket}`);
        removed.push(...paths.map((path) => ({ bucket, path })));
        return Promise.resolve();
      },
    },
    config: { serviceRoleKey: SERVICE_KEY, storiesPerRun: 100 },
    log: () => {},
  });
  return { handler, calls, removed };
}

function call(body: unknown, key = SERVICE_KEY): Request {
  return new Request("http://functions.test/maintenance", {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

Deno.test("maintenance expire_previews deletes the images of expired previews, then forgets their paths", async () => {
  const { handler, calls, removed } = setup();
  const response = await handler(call({ task: "expire_previews" }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    task: "expire_previews",
    expired: 1,
    stories_cleaned: 2,
    objects_removed: 4,
    pages_forgotten: 12,
  });
  assert.deepEqual(calls, [
    "expire",
    "objects:story-fresh,story-left-over",
    "remove:previews",
    "remove:pages",
    "forget:story-fresh,story-left-over",
  ]);
  assert.equal(removed.length, 4);
});

Deno.test("maintenance keeps the paths when deleting the images fails, so the next run retries", async () => {
  const { handler, calls } = setup({ failRemove: true });
  const response = await handler(call({ task: "expire_previews" }));
  assert.equal(response.status, 500);
  assert.ok(!calls.some((call) => call.startsWith("forget")));
});

Deno.test("maintenance accepts only the service role key and known tasks", async () => {
  const { handler, calls } = setup();
  assert.equal((await handler(call({ task: "expire_previews" }, "anon-key"))).status, 401);
  const unknown = await handler(call({ task: "drop_everything" }));
  assert.equal(unknown.status, 400);
  assert.match((await unknown.json()).error.message, /^task:/);
  assert.deepEqual(calls, []);
});
