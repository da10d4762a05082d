/**
 * The invariants every scenario ends with, read from the database, Storage's objects and the fake Resend, and
 * the figures of how the books got there.
 */
import type postgres from "postgres";
import { downloadBook, downloadLinkIn } from "../../platform/server/dev/book_download.ts";
import type { FakeResend } from "../../tests/support/fake_resend/fake_resend_server.ts";
import { PREVIEW_PAGES } from "../preview_load.ts";
import { type Book, BOOK_PAGES, type DriveContext } from "./books.ts";
import type { ScenarioReport } from "./report.ts";

/**
 * The longest page attempt that completed (each page's last one, its print at print size), in seconds: what the
 * page tasks' timeout has to stay above.
 */
export async function longestPageAttemptSeconds(admin: postgres.Sql): Promise<number> {
  const [{ seconds }] = await admin<{ seconds: number }[]>`
    select coalesce(max(extract(epoch from completed_at - started_at)), 0)::float8 as seconds
      from public.story_pages where status = 'done'`;
  return seconds;
}

interface PageRow {
  story_id: string;
  user_id: string;
  page_number: number;
  preview_path: string | null;
  hires_path: string | null;
  print_path: string | null;
}

/**
 * Every page stored exactly once: per page, the one hi-res and the one watermarked preview image (the cover and
 * pages 1–5) and the one print image (every page), each the object the page refers to, and no other object in
 * the page's folders. Files of the pages and previews buckets that no page refers to are counted apart too: what
 * an attempt cut off between its upload and its commit leaves behind.
 */
async function checkPagesStoredOnce(
  report: ScenarioReport,
  admin: postgres.Sql,
  books: Book[],
): Promise<void> {
  const storyIds = books.map((book) => book.storyId);
  const pages = await admin<PageRow[]>`
    select p.story_id, s.user_id, p.page_number, p.preview_path, r.hires_path, r.print_path
      from public.story_pages p
      join public.stories s on s.id = p.story_id
      join internal.page_renders r on r.page_id = p.id
     where p.story_id = any(${storyIds}::uuid[])`;
  const objects = await admin<{ bucket_id: string; name: string }[]>`
    select bucket_id, name from storage.objects where bucket_id in ('pages', 'previews')`;
  const key = (bucket: string, name: string) => `${bucket}/${name}`;
  const unclaimed = new Set(objects.map((object) => key(object.bucket_id, object.name)));
  let whole = 0;
  for (const page of pages) {
    const folder = `${page.story_id}/${page.page_number}/`;
    const inFolder = objects.filter((object) =>
      object.bucket_id === "pages" && object.name.startsWith(folder)
    );
    const prints = inFolder.filter((object) => object.name.startsWith(`${folder}print-`)).map((o) => o.name);
    const hires = inFolder.filter((object) => !object.name.startsWith(`${folder}print-`)).map((o) => o.name);
    const previews = objects.filter((object) =>
      object.bucket_id === "previews" &&
      object.name.startsWith(`${page.user_id}/${page.story_id}/${page.page_number}-`)
    ).map((object) => object.name);
    const drawnForPreview = page.page_number < PREVIEW_PAGES;
    const same = (found: string[], expected: string | null) =>
      expected === null ? found.length === 0 : found.length === 1 && found[0] === expected;
    if (
      same(prints, page.print_path) && same(hires, drawnForPreview ? page.hires_path : null) &&
      same(previews, drawnForPreview ? page.preview_path : null) && page.print_path !== null &&
      (!drawnForPreview || (page.hires_path !== null && page.preview_path !== null))
    ) {
      whole++;
    }
    for (const name of [page.print_path, page.hires_path]) if (name) unclaimed.delete(key("pages", name));
    if (page.preview_path) unclaimed.delete(key("previews", page.preview_path));
  }
  report.check(
    "each page stored exactly once (hi-res, watermarked, print)",
    `${whole} of ${books.length * BOOK_PAGES} pages`,
    whole === books.length * BOOK_PAGES && pages.length === books.length * BOOK_PAGES,
  );
  // What a second file of a page is when it happens: an attempt killed between its upload and its commit.
  report.expectEqual("page files no page refers to (an attempt cut off after uploading)", unclaimed.size, 0);
}

/** The emailed link of each delivered email leads to a PDF of the size the order recorded. */
async function checkLinks(
  report: ScenarioReport,
  admin: postgres.Sql,
  resend: FakeResend,
): Promise<void> {
  let served = 0;
  for (const email of resend.delivered) {
    const link = downloadLinkIn(email.text ?? "");
    const orderId = email.idempotencyKey?.replace(/^book-ready\//, "");
    if (!link || !orderId) continue;
    const pdf = await downloadBook(link).catch(() => null);
    if (!pdf) continue;
    const [order] = await admin<{ book_bytes: string }[]>`
      select book_bytes::text from public.orders where id = ${orderId}`;
    if (pdf.byteLength === Number(order?.book_bytes)) served++;
  }
  report.expectEqual("emailed links that serve their book's PDF", served, resend.delivered.length);
}

/** The invariants every scenario ends with, and the figures of how the books got there. */
export async function checkBooks(
  report: ScenarioReport,
  context: DriveContext,
  books: Book[],
  resend: FakeResend,
): Promise<void> {
  const { admin } = context.endpoints;
  report.expectEqual(
    "books delivered (story done, PDF stored, email sent)",
    books.filter((book) => book.stage === "delivered").length,
    books.length,
  );

  const [counts] = await admin<{
    orders: number;
    paid_events: number;
    books_stored: number;
    books_kept: number;
    outbox_rows: number;
    outbox_sent: number;
    outbox_attempts: number;
  }[]>`
    select (select count(*)::int from public.orders) as orders,
           (select count(*)::int from internal.shopify_events where topic = 'orders/paid') as paid_events,
           (select count(*)::int from storage.objects where bucket_id = 'books') as books_stored,
           (select count(*)::int from public.orders o join storage.objects b
               on b.bucket_id = 'books' and b.name = o.book_path) as books_kept,
           (select count(*)::int from internal.email_outbox) as outbox_rows,
           (select count(*)::int from internal.email_outbox where status = 'sent') as outbox_sent,
           (select coalesce(sum(attempts), 0)::int from internal.email_outbox) as outbox_attempts`;
  report.expectEqual("orders (one per book, whatever Shopify resent)", counts.orders, books.length);
  report.expectEqual("orders/paid events recorded", counts.paid_events, books.length);
  report.figure(
    "orders/paid requests sent (resends included)",
    books.reduce((sum, book) => sum + book.paidDeliveries, 0),
  );
  report.expectEqual("PDFs in the books bucket, each its order's", counts.books_kept, books.length);
  report.expectEqual("PDFs in the books bucket in all", counts.books_stored, books.length);
  await checkPagesStoredOnce(report, admin, books);

  report.expectEqual("outbox rows (one per order), sent", counts.outbox_sent, books.length);
  report.expectEqual("outbox rows in all", counts.outbox_rows, books.length);
  const keys = resend.delivered.map((email) => email.idempotencyKey);
  report.expectEqual("emails Resend sent (one per idempotency key)", new Set(keys).size, books.length);
  report.expectEqual("emails Resend sent in all", keys.length, books.length);
  report.figure(
    "email send attempts (outbox) / POST /emails received",
    `${counts.outbox_attempts} / ${resend.requests.filter((request) => request.path === "/emails").length}`,
  );
  await checkLinks(report, admin, resend);

  const preview = books.reduce((sum, book) => sum + book.attempts.preview, 0);
  const print = books.reduce((sum, book) => sum + book.attempts.print, 0);
  report.figure(
    "page attempts: preview, print (pages drawn)",
    `${preview} (${books.length * PREVIEW_PAGES}), ${print} (${books.length * BOOK_PAGES})`,
  );
  report.figure(
    "parent retries pressed (a job failed its last attempt)",
    books.reduce((s, b) => s + b.parentRetries, 0),
  );
}
