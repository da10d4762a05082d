/**
 * A bought book from the signed orders/paid to the PDF, on the local platform with its offline defaults (the
 * in-house illustrator, the email outbox): shopify-webhooks → the print job through the page pipeline →
 * book-worker (the PDF, streamed to the books bucket) → email-worker (the outbox) → the emailed link →
 * downloads → a 302 to the PDF, which is checked with poppler as a printer's preflight would.
 */
import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import {
  finishedPreviewStatus,
  requestPreview,
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
  userClient,
} from "../support/preview_fixtures.ts";
import { poppler } from "../support/poppler.ts";
import { orderBody, shopifyDelivery } from "../support/shopify_fixtures.ts";

const SECRET = "shpss_journey_secret";

Deno.test("a signed orders/paid for a real preview, delivered 10 times at once, ends with one email in the outbox and one PDF behind its link", async () => {
  const platform = await startProjectPlatform("purchase_journey", {
    dispatch: "platform",
    functionEnv: { SHOPIFY_WEBHOOK_SECRET: SECRET },
  });
  try {
    const parent = await signInAnonymously(platform);
    const supabase = userClient(platform, parent.accessToken);
    const photoId = await storePhoto(platform, parent.id);
    const created = await requestPreview(supabase, photoId, { dedication: "For Zoë, who is brave" });
    const storyId: string = created.preview_id;
    const previewStatus = await finishedPreviewStatus(supabase, storyId);
    assert.equal(previewStatus.status, "completed", JSON.stringify(previewStatus));

    // Shopify's duplicates, all at once: one order, one book, one email.
    const body = orderBody({ previewId: storyId });
    const answers = await Promise.all(Array.from({ length: 10 }, async () => {
      const response = await fetch(
        await shopifyDelivery(`${platform.url}/functions/v1/shopify-webhooks`, body, {
          topic: "orders/paid",
          secret: SECRET,
        }),
      );
      assert.equal(response.status, 200);
      return (await response.json()).outcome as string;
    }));
    assert.deepEqual(answers.sort(), [...Array(9).fill("duplicate"), "order_created"]);

    const email = await eventually(
      async () => {
        const [row] = await platform.admin<
          { status: string; text_body: string | null; last_error: string | null }[]
        >`
        select status, text_body, last_error from internal.email_outbox`;
        return row?.status === "sent" || row?.status === "failed" ? row : undefined;
      },
      "the book-ready email",
      120_000,
    );
    assert.equal(email.status, "sent", email.last_error ?? "");
    const link = /https?:\/\/\S+\/downloads\/[0-9a-f-]{36}\?token=\S+/.exec(email.text_body!)?.[0];
    assert.ok(link, "the email holds the download link");

    const [order] = await platform.admin<{ book_pages: number; book_bytes: string; delivered: boolean }[]>`
      select book_pages, book_bytes::text, delivered_at is not null as delivered from public.orders`;
    assert.equal(order.delivered, true);
    const [counts] = await platform.admin<{ orders: number; emails: number; books: number }[]>`
      select (select count(*)::int from public.orders) as orders,
             (select count(*)::int from internal.email_outbox) as emails,
             (select count(*)::int from storage.objects where bucket_id = 'books') as books`;
    assert.deepEqual({ ...counts }, { orders: 1, emails: 1, books: 1 });

    const download = await fetch(link, { redirect: "manual" });
    assert.equal(download.status, 302);
    await download.body?.cancel();
    const pdf = await fetch(download.headers.get("location")!);
    assert.equal(pdf.status, 200);
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    assert.equal(bytes.byteLength, Number(order.book_bytes));
    const document = await PDFDocument.load(bytes);
    assert.equal(document.getPageCount(), order.book_pages);

    // The downloaded file, as a printer's preflight would look at it.
    const file = await Deno.makeTempFile({ suffix: ".pdf" });
    try {
      await Deno.writeFile(file, bytes);
      const info = await poppler("pdfinfo", [file]);
      assert.match(info, /Page size:\s+738 x 738 pts/);
      assert.match(info, new RegExp(`Pages:\\s+${order.book_pages}\\n`));
      const fonts = (await poppler("pdffonts", [file])).trim().split("\n").slice(2);
      assert.ok(
        fonts.length > 0 && fonts.every((line) => / yes yes yes /.test(line)),
        "fonts embedded, subset",
      );
      const images = (await poppler("pdfimages", ["-list", file])).trim().split("\n").slice(2);
      assert.equal(images.length, 11, "one picture per cover and story page");
      for (const line of images) {
        const [xPpi, yPpi] = line.trim().split(/\s+/).slice(12, 14).map(Number);
        assert.ok(xPpi >= 300 && yPpi >= 300, `every picture at 300 ppi or more: ${line}`);
      }
    } finally {
      await Deno.remove(file);
    }

    const [sizes] = await platform.admin<{ smallest: number }[]>`
      select min(least(r.print_width, r.print_height)) as smallest
        from internal.page_renders r join public.story_pages p on p.id = r.page_id where p.story_id = ${storyId}`;
    assert.ok(sizes.smallest >= 3075, "every page reached print resolution");
  } finally {
    await platform.close();
  }
});
