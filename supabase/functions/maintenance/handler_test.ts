import assert from "node:assert/strict";
import type { StoredObject } from "../_shared/storage.ts";
import type { ExpiredStory, ExpiryStore } from "./expiry_store.ts";
import type { BookRetentionStore } from "./book_retention_store.ts";
import type { RedactionStore } from "./redaction_store.ts";
import { createMaintenanceHandler } from "./handler.ts";
import type { DuePhoto, PhotoRetentionStore } from "./photo_retention_store.ts";

const SERVICE_KEY = "service-role-key";
const FRESH: ExpiredStory = { storyId: "story-fresh", userId: "user-a" };
const LEFT_OVER: ExpiredStory = { storyId: "story-left-over", userId: "user-b" };

const EXPIRED_PREVIEW_PHOTO: DuePhoto = {
  photoId: "photo-expired",
  storagePath: "user-a/photo-expired.jpg",
  reason: "preview_expired",
};
const DELIVERED_BOOK_PHOTO: DuePhoto = {
  photoId: "photo-delivered",
  storagePath: "user-b/photo-delivered.jpg",
  reason: "book_delivered",
};
const UNUSED_PHOTO: DuePhoto = {
  photoId: "photo-unused",
  storagePath: "user-a/photo-unused.jpg",
  reason: "never_used",
};
// Needed again between selection and deletion (a new preview was made from it): forgetPhotos keeps it.
const NEEDED_AGAIN_PHOTO: DuePhoto = {
  photoId: "photo-needed-again",
  storagePath: "user-c/photo-needed-again.jpg",
  reason: "preview_expired",
};

function setup(
  options: {
    failRemove?: boolean;
    due?: DuePhoto[];
    orphans?: string[];
    redactions?: RedactionStore;
    books?: BookRetentionStore;
  } = {},
) {
  const calls: string[] = [];
  const removed: StoredObject[] = [];
  const logs: string[] = [];
  const due = options.due ?? [EXPIRED_PREVIEW_PHOTO, DELIVERED_BOOK_PHOTO, UNUSED_PHOTO, NEEDED_AGAIN_PHOTO];
  const photoRetention: PhotoRetentionStore = {
    photosDue: (limit) => {
      calls.push(`due:${limit}`);
      return Promise.resolve(due.slice(0, limit));
    },
    forgetPhotos: (photoIds) => {
      calls.push(`forget-photos:${photoIds.join(",")}`);
      return Promise.resolve(
        due.filter((photo) => photo !== NEEDED_AGAIN_PHOTO && photoIds.includes(photo.photoId)),
      );
    },
    orphanedPhotoObjects: (limit) => {
      calls.push(`orphans:${limit}`);
      // By default the forgotten photos' objects show up as orphans too, next to a failed upload's leftover.
      return Promise.resolve(
        options.orphans ?? [EXPIRED_PREVIEW_PHOTO.storagePath, "user-d/failed-upload.jpg"],
      );
    },
    pruneUploadAttempts: () => {
      calls.push("prune-attempts");
      return Promise.resolve(7);
    },
  };
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
    photoRetention,
    objects: {
      remove: (bucket, paths) => {
        if (options.failRemove) return Promise.reject(new Error("storage unavailable"));
        calls.push(`remove:${bucket}`);
        removed.push(...paths.map((path) => ({ bucket, path })));
        return Promise.resolve();
      },
    },
    providerSweep: { lateCalls: () => Promise.resolve([]), provider: null, finisher: null },
    books: options.books ?? {
      booksDue: () => Promise.resolve([]),
      forgetBooks: () => Promise.resolve(0),
    },
    redactions: options.redactions ?? {
      pending: () => Promise.resolve([]),
      objectsOf: () => Promise.resolve([]),
      complete: () => Promise.resolve(),
      recordFailure: () => Promise.resolve(),
    },
    config: {
      serviceRoleKey: SERVICE_KEY,
      storiesPerRun: 100,
      photosPerRun: 50,
      providerCallsPerRun: 10,
      redactionsPerRun: 5,
      booksPerRun: 3,
    },
    log: (line) => logs.push(line),
  });
  return { handler, calls, removed, logs };
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

Deno.test("maintenance purge_photos forgets the due photos first, then removes their objects and the orphans", async () => {
  const { handler, calls, removed } = setup();
  const response = await handler(call({ task: "purge_photos" }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    task: "purge_photos",
    photos_deleted: 3,
    by_reason: { preview_expired: 1, book_delivered: 1, never_used: 1 },
    objects_removed: 4,
    upload_attempts_pruned: 7,
  });
  assert.deepEqual(calls, [
    "due:50",
    "forget-photos:photo-expired,photo-delivered,photo-unused,photo-needed-again",
    "orphans:50",
    "remove:photos",
    "prune-attempts",
  ]);
  assert.deepEqual(removed.map((object) => `${object.bucket}/${object.path}`), [
    "photos/user-a/photo-expired.jpg",
    "photos/user-b/photo-delivered.jpg",
    "photos/user-a/photo-unused.jpg",
    "photos/user-d/failed-upload.jpg",
  ]);
});

Deno.test("maintenance purge_photos keeps the object of a photo that was needed again", async () => {
  const { handler, removed } = setup();
  assert.equal((await handler(call({ task: "purge_photos" }))).status, 200);
  assert.ok(!removed.some((object) => object.path === NEEDED_AGAIN_PHOTO.storagePath));
});

Deno.test("maintenance purge_photos with nothing due removes nothing and still prunes upload attempts", async () => {
  const { handler, calls } = setup({ due: [], orphans: [] });
  const response = await handler(call({ task: "purge_photos" }));
  const body = await response.json();
  assert.equal(body.photos_deleted, 0);
  assert.deepEqual(body.by_reason, { preview_expired: 0, book_delivered: 0, never_used: 0 });
  assert.deepEqual(calls, ["due:50", "forget-photos:", "orphans:50", "prune-attempts"]);
});

Deno.test("maintenance purge_photos fails when removing objects fails, leaving them for the next run", async () => {
  const { handler, calls } = setup({ failRemove: true });
  const response = await handler(call({ task: "purge_photos" }));
  assert.equal(response.status, 500);
  // The rows are already forgotten; their objects are orphans now, which the next run's orphan sweep removes.
  assert.ok(calls.includes("forget-photos:photo-expired,photo-delivered,photo-unused,photo-needed-again"));
  assert.ok(!calls.includes("prune-attempts"));
});

Deno.test("maintenance purge_photos logs one line of counts, never an id or a path", async () => {
  const { handler, logs } = setup();
  await handler(call({ task: "purge_photos" }));
  assert.equal(logs.length, 1);
  const line = JSON.parse(logs[0]);
  assert.deepEqual(Object.keys(line).sort(), [
    "by_reason",
    "event",
    "ms",
    "objects_removed",
    "photos_deleted",
    "task",
    "upload_attempts_pruned",
  ]);
  assert.equal(line.event, "maintenance");
  assert.equal(line.task, "purge_photos");
  assert.doesNotMatch(logs[0], /photo-|user-/);
});

Deno.test("process_redactions removes each user's files before erasing their rows, request by request", async () => {
  const steps: string[] = [];
  const redactions: RedactionStore = {
    pending: (limit) => {
      steps.push(`pending:${limit}`);
      return Promise.resolve([
        { requestId: "request-1", userIds: ["user-a", "user-b"] },
        { requestId: "request-2", userIds: [] },
      ]);
    },
    objectsOf: (userId) =>
      Promise.resolve([
        { bucket: "photos", path: `${userId}/photo.jpg` },
        { bucket: "books", path: `${userId}/book.pdf` },
      ]),
    complete: (requestId) => {
      steps.push(`complete:${requestId}`);
      return Promise.resolve();
    },
    recordFailure: (requestId) => {
      steps.push(`failure:${requestId}`);
      return Promise.resolve();
    },
  };
  const { handler, removed, calls } = setup({ redactions });
  const response = await handler(call({ task: "process_redactions" }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    task: "process_redactions",
    pending: 2,
    completed: 2,
    files_removed: 4,
  });
  assert.deepEqual(removed.map((object) => `${object.bucket}/${object.path}`).sort(), [
    "books/user-a/book.pdf",
    "books/user-b/book.pdf",
    "photos/user-a/photo.jpg",
    "photos/user-b/photo.jpg",
  ]);
  assert.deepEqual(steps, ["pending:5", "complete:request-1", "complete:request-2"]);
  assert.ok(calls.filter((entry) => entry.startsWith("remove:")).length >= 2);
});

Deno.test("a redaction whose files cannot be removed stays pending with its error, and erases nothing", async () => {
  const steps: string[] = [];
  const redactions: RedactionStore = {
    pending: () => Promise.resolve([{ requestId: "request-1", userIds: ["user-a"] }]),
    objectsOf: () => Promise.resolve([{ bucket: "photos", path: "user-a/photo.jpg" }]),
    complete: (requestId) => {
      steps.push(`complete:${requestId}`);
      return Promise.resolve();
    },
    recordFailure: (requestId, message) => {
      steps.push(`failure:${requestId}:${message}`);
      return Promise.resolve();
    },
  };
  const { handler } = setup({ redactions, failRemove: true });
  const response = await handler(call({ task: "process_redactions" }));
  assert.equal(response.status, 200);
  assert.equal((await response.json()).completed, 0);
  assert.deepEqual(steps, ["failure:request-1:storage unavailable"]);
});

Deno.test("purge_books removes the due books' files, then forgets their paths", async () => {
  const steps: string[] = [];
  const books: BookRetentionStore = {
    booksDue: (limit) => {
      steps.push(`due:${limit}`);
      return Promise.resolve([
        { orderId: "order-1", path: "user-a/order-1.pdf" },
        { orderId: "order-2", path: "user-b/order-2.pdf" },
      ]);
    },
    forgetBooks: (orderIds) => {
      steps.push(`forget:${orderIds.join(",")}`);
      return Promise.resolve(orderIds.length);
    },
  };
  const { handler, removed, calls } = setup({ books });
  const response = await handler(call({ task: "purge_books" }));
  assert.deepEqual(await response.json(), { task: "purge_books", books_deleted: 2 });
  assert.deepEqual(removed.map((object) => `${object.bucket}/${object.path}`), [
    "books/user-a/order-1.pdf",
    "books/user-b/order-2.pdf",
  ]);
  assert.deepEqual(steps, ["due:3", "forget:order-1,order-2"]);
  assert.ok(calls.includes("remove:books"));
});

Deno.test("purge_books forgets nothing when the files could not be removed", async () => {
  const forgotten: string[][] = [];
  const books: BookRetentionStore = {
    booksDue: () => Promise.resolve([{ orderId: "order-1", path: "user-a/order-1.pdf" }]),
    forgetBooks: (orderIds) => {
      forgotten.push(orderIds);
      return Promise.resolve(orderIds.length);
    },
  };
  const { handler } = setup({ books, failRemove: true });
  const response = await handler(call({ task: "purge_books" }));
  assert.equal(response.status, 500);
  assert.deepEqual(forgotten, []);
});
