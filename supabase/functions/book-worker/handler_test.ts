import assert from "node:assert/strict";
import { DEFAULT_PRINT_PROFILE } from "../_shared/book/print_profiles.ts";
import { jpegHeaderOnly } from "../_shared/images/test_images.ts";
import type { BookContents, BookStore } from "./book_store.ts";
import { createBookWorkerHandler } from "./handler.ts";

const SERVICE_KEY = "service-role-key";
const ORDER_ID = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const USER_ID = "8c7d6e5f-4a3b-4c2d-9e0f-1a2b3c4d5e6f";

const CONTENTS: BookContents = {
  orderStatus: "paid",
  userId: USER_ID,
  title: "Zoë's Enchanted Forest Adventure",
  childName: "Zoë",
  dedication: null,
  pages: Array.from({ length: 11 }, (_, pageNumber) => ({
    pageNumber,
    text: `Page ${pageNumber} of the story.`,
    printPath: `story-1/${pageNumber}/print-lease.jpg`,
    printWidth: 3075,
    printHeight: 3075,
  })),
};

function setup(
  options: {
    contents?: BookContents | null;
    /** What a second read of the order finds (after complete_book refused the book). */
    contentsAfter?: BookContents;
    kept?: boolean;
    lastAttempt?: boolean;
  } = {},
) {
  let contentReads = 0;
  const steps: string[] = [];
  const reads: string[] = [];
  const uploads: { path: string; bytes: number }[] = [];
  const removed: string[] = [];
  const books: BookStore = {
    contents: () =>
      Promise.resolve(
        contentReads++ > 0 && options.contentsAfter
          ? options.contentsAfter
          : options.contents === undefined
          ? CONTENTS
          : options.contents,
      ),
    complete: (_order, msgId, book) => {
      steps.push(`complete:${msgId}:${book.pages}`);
      return Promise.resolve(options.kept ?? true);
    },
    fail: (_order, msgId, error, final) => {
      steps.push(`fail:${msgId}:${final}:${error}`);
      return Promise.resolve();
    },
    dropTask: (msgId) => {
      steps.push(`drop:${msgId}`);
      return Promise.resolve();
    },
  };
  const handler = createBookWorkerHandler({
    books,
    objects: {
      remove: (bucket, paths) => {
        removed.push(...paths.map((path) => `${bucket}/${path}`));
        return Promise.resolve();
      },
    },
    files: {
      read: (bucket, path) => {
        reads.push(`${bucket}/${path}`);
        return Promise.resolve(new Blob([jpegHeaderOnly(3075)]).stream());
      },
      uploadStream: async (bucket, path, body) => {
        let bytes = 0;
        for await (const chunk of body) bytes += chunk.byteLength;
        uploads.push({ path: `${bucket}/${path}`, bytes });
      },
    },
    config: { serviceRoleKey: SERVICE_KEY, profile: DEFAULT_PRINT_PROFILE },
    log: () => {},
  });
  const call = async () => {
    const response = await handler(
      new Request("http://functions.test/book-worker", {
        method: "POST",
        headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ msg_id: 3, order_id: ORDER_ID, last_attempt: options.lastAttempt ?? false }),
      }),
    );
    return (await response.json()).outcome as string;
  };
  return { call, steps, reads, uploads, removed };
}

Deno.test("a paid order's book is assembled from every page's print image and kept under the parent's folder", async () => {
  const { call, steps, reads, uploads } = setup();
  assert.equal(await call(), "assembled");
  assert.equal(reads.length, 11);
  assert.ok(reads.every((path) => path.startsWith("pages/story-1/")));
  assert.equal(uploads.length, 1);
  assert.equal(uploads[0].path, `books/${USER_ID}/${ORDER_ID}.pdf`);
  assert.ok(uploads[0].bytes > 0);
  // Cover, title page, 10 story pages and the ending; no dedication page without a dedication.
  assert.deepEqual(steps, ["complete:3:13"]);
});

Deno.test("a book the order no longer wants (cancelled meanwhile) is removed again", async () => {
  const { call, removed } = setup({ kept: false, contentsAfter: { ...CONTENTS, orderStatus: "cancelled" } });
  assert.equal(await call(), "not_kept");
  assert.deepEqual(removed, [`books/${USER_ID}/${ORDER_ID}.pdf`]);
});

Deno.test("a second delivery of the task leaves the book the first one kept at the same path", async () => {
  const { call, removed } = setup({ kept: false });
  assert.equal(await call(), "already_kept");
  assert.deepEqual(removed, []);
});

Deno.test("a cancelled order's task is dropped without assembling anything", async () => {
  const { call, steps, uploads } = setup({ contents: { ...CONTENTS, orderStatus: "cancelled" } });
  assert.equal(await call(), "cancelled");
  assert.deepEqual(steps, ["drop:3"]);
  assert.deepEqual(uploads, []);
});

Deno.test("a page without its print image fails the attempt; the last attempt is final, for an operator", async () => {
  const pages = CONTENTS.pages.map((page) => page.pageNumber === 7 ? { ...page, printPath: null } : page);
  const retrying = setup({ contents: { ...CONTENTS, pages } });
  assert.equal(await retrying.call(), "retrying");
  assert.deepEqual(retrying.steps, ["fail:3:false:book_assembly: pages without a print image: 7"]);
  const last = setup({ contents: { ...CONTENTS, pages }, lastAttempt: true });
  assert.equal(await last.call(), "failed");
  assert.deepEqual(last.steps, ["fail:3:true:book_assembly: pages without a print image: 7"]);
});

Deno.test("a book that can never be laid out fails for good at once, without waiting for more attempts", async () => {
  const { call, steps } = setup({ contents: { ...CONTENTS, childName: "美咲" } });
  assert.equal(await call(), "failed");
  assert.equal(steps.length, 1);
  assert.match(steps[0], /^fail:3:true:book_layout: /);
});
