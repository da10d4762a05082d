/**
 * `npm run demo`'s journey, run against a platform of its own: the sample photo becomes a bought book whose PDF
 * is saved, the progress bar is fed by Realtime up to 100% for the preview and the book, and the summary's
 * figures come from what happened (images drawn, what fal would charge for them at the default prices).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_FAL_PRICES } from "../../supabase/functions/_shared/fal/fal_pricing.ts";
import { runDemoJourney } from "../../scripts/demo_journey.ts";
import { startProjectPlatform } from "../support/preview_fixtures.ts";
import { poppler } from "../support/poppler.ts";
import { oneFace } from "../support/photo_fixtures.ts";

Deno.test("the demo journey turns the sample photo into a bought book, saves its PDF and accounts for every image", async () => {
  // Purchases are signed with the platform's own local Shopify secret, as on `npm start`.
  const platform = await startProjectPlatform("demo_journey", { dispatch: "platform" });
  const outDir = await Deno.makeTempDir({ prefix: "demo_journey_" });
  try {
    const progress: { label: string; percent: number }[] = [];
    const result = await runDemoJourney(
      { url: platform.url, anonKey: platform.anonKey, admin: platform.admin },
      {
        photo: { bytes: (await oneFace()).jpeg, fileName: "astronaut.jpg", type: "image/jpeg" },
        outDir,
        pricing: {
          table: DEFAULT_FAL_PRICES,
          generateModel: "fal-ai/nano-banana-2/edit",
          upscaleModel: "fal-ai/seedvr/upscale/image",
          printResolution: "native",
          generateModelOffersPrintResolution: true,
        },
        progress: { update: (label, percent) => progress.push({ label, percent }), done: () => {} },
        log: () => {},
      },
    );

    assert.deepEqual(result.phases.map((phase) => phase.phase), [
      "anonymous sign-in",
      "upload the sample photo",
      "preview: cover + pages 1–5",
      "purchase → book → email",
      "follow the link, save the PDF",
    ]);
    assert.equal(result.pdfPath, join(outDir, `talecraft-${result.previewId.slice(0, 8)}.pdf`));
    const [order] = await platform.admin<{ book_pages: number; book_bytes: string }[]>`
      select book_pages, book_bytes::text from public.orders where shopify_order_id = ${result.orderId}`;
    assert.equal(result.pdfBytes, Number(order.book_bytes), "the saved file is the whole book");
    assert.match(await poppler("pdfinfo", [result.pdfPath]), new RegExp(`Pages:\\s+${order.book_pages}\\n`));

    for (const label of ["preview", "book"]) {
      const bar = progress.filter((event) => event.label === label).map((event) => event.percent);
      assert.equal(bar.at(-1), 100, `the ${label} bar ends full`);
      assert.ok(bar.some((percent) => percent > 0 && percent < 100), `the ${label} bar moved on page events`);
      assert.deepEqual(bar, [...bar].sort((a, b) => a - b), `the ${label} bar never goes back`);
    }

    // Six preview pictures; the book has all eleven at print size. On fal at the default prices: six 1K images
    // at $0.08, then five 4K images at $0.16 and six 4096² upscales at $0.001 per megapixel.
    assert.deepEqual(result.images, { preview: 6, book: 11, provider: "talecraft-illustrator" });
    assert.equal(result.cost.preview_usd, 0.48);
    assert.equal(result.cost.book_usd, 0.9007);
  } finally {
    await Deno.remove(outDir, { recursive: true });
    await platform.close();
  }
});
