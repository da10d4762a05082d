/**
 * The dev console in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), on the
 * local platform with its offline defaults: a guest signs in, a photo with no face is refused in the alert
 * region, the sample photo is accepted, the preview is drawn while the page listens (Realtime, polling as the
 * fallback), the purchase is simulated with the platform's own Shopify secret (no SHOPIFY_WEBHOOK_SECRET is
 * configured), the email appears from the outbox and its link downloads the PDF, which poppler checks.
 * Every wait is on the page's state, never on time. Screenshots of each step go to out/console/. Then the
 * local-only routes are checked for what the page cannot show: they answer only the preview's owner.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { poppler } from "../support/poppler.ts";
import type { TestPlatform } from "../../platform/tests/support/test_platform.ts";
import { repoRoot, signInAnonymously, startProjectPlatform } from "../support/preview_fixtures.ts";
import { ensureSampleImages } from "../../platform/server/dev/sample_photo.ts";

const SCREENSHOTS = join(repoRoot, "out", "console");
/** Generous limits for each wait: the preview and the print pages are drawn on two cores. */
const STEP_TIMEOUT_MS = 180_000;

Deno.test("the dev console", async (t) => {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  const platform = await startProjectPlatform("dev_console", { dispatch: "platform" });
  try {
    await t.step(
      "takes a guest from sign-in to the downloaded PDF in Chromium",
      () => clickThrough(platform),
    );
    await t.step(
      "its dev routes answer only the preview's owner, and only with a user's session",
      () => routesAnswerOnlyTheOwner(platform),
    );
  } finally {
    await platform.close();
  }
});

async function clickThrough(platform: TestPlatform): Promise<void> {
  const samples = await ensureSampleImages();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const uncaught: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on("pageerror", (error) => uncaught.push(error.message));
    const shot = (name: string) =>
      page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const alert = page.getByRole("alert");

    await page.goto(`${platform.url}/`);
    await page.getByText("Not signed in.").waitFor();
    assert.equal(
      await page.getByLabel("Theme", { exact: true }).locator("option").count(),
      8,
      "the eight themes are offered",
    );
    await shot("01_start");

    await page.getByRole("button", { name: "Sign in anonymously" }).click();
    await page.getByText(/Signed in as guest/).waitFor();

    // The API's refusal, shown with its code: a cat has no face.
    await page.getByLabel("Photo file").setInputFiles(samples.chelsea);
    await page.getByRole("button", { name: "Upload this photo" }).click();
    await alert.getByText("no_face").waitFor();
    await shot("02_photo_refused");

    await page.getByRole("button", { name: "Use the sample photo" }).click();
    await page.getByText(/One face found/).waitFor();
    assert.equal(await page.locator("#alert").textContent(), "", "a new step clears the last error");
    await page.getByLabel("Theme", { exact: true }).selectOption("ocean_explorer");
    await page.getByLabel("Photorealistic", { exact: true }).check();
    await page.getByLabel("Child’s name").fill("Zoë");
    await page.getByLabel("Age", { exact: true }).fill("6");
    await page.getByLabel("she", { exact: true }).check();
    await page.getByLabel("Dedication").fill("For Zoë, who is brave");
    await shot("03_story_form");
    await page.getByRole("button", { name: "Make the preview" }).click();

    // The bar's value attribute follows its value: 100 once every picture of the preview is drawn.
    await page.locator('#preview-progress[value="100"]').waitFor({ state: "attached" });
    await page.getByText(/The preview is ready/).waitFor();
    await page.getByText(/Live updates: listening on the private channel story:[0-9a-f-]{36}\./).waitFor();
    await page.waitForFunction(
      "[...document.querySelectorAll('#pages img')].every((image) => image.complete && image.naturalWidth > 0)",
    );
    const pictures = await page.locator("#pages img").all();
    assert.equal(pictures.length, 6, "the cover and pages 1–5 are shown");
    for (const picture of pictures) {
      assert.match(await picture.getAttribute("alt") ?? "", /watermarked/);
      assert.match(
        await picture.getAttribute("src") ?? "",
        /\/storage\/v1\/object\/sign\/previews\//,
        "a signed URL of the watermarked preview",
      );
    }
    const locked = page.locator("#pages li.locked");
    assert.equal(await locked.count(), 5, "pages 6–10 are locked");
    assert.match(
      await locked.first().textContent() ?? "",
      /^Locked until the book is boughtPage 6\S/,
      "a locked page shows its text and no picture",
    );
    await shot("04_preview_ready");

    await page.getByLabel("Email for the download link").fill("parent@example.com");
    await page.getByRole("button", { name: "Simulate purchase" }).click();
    await page.getByText(/shopify-webhooks answered 200 \(order_created\)/).waitFor();
    const download = page.getByRole("link", { name: "Download the PDF" });
    await download.waitFor();
    assert.match(await page.locator("#email-subject").textContent() ?? "", /is ready to download/);
    assert.match(await page.locator("#email-text").textContent() ?? "", /\/downloads\/[0-9a-f-]{36}\?token=/);
    assert.equal(await page.locator("#book-progress").getAttribute("value"), "100");
    await shot("05_email_in_outbox");

    const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
    const pdf = join(SCREENSHOTS, "book.pdf");
    await file.saveAs(pdf);
    const info = await poppler("pdfinfo", [pdf]);
    assert.match(info, /Page size:\s+738 x 738 pts/);
    // Cover, title page, dedication, ten story pages and "The End".
    assert.match(info, /Pages:\s+14\n/);
    const [order] = await platform.admin<{ book_pages: number }[]>`select book_pages from public.orders`;
    assert.equal(order.book_pages, 14);
    // The book's cover as the PDF has it, small, beside the screenshots.
    const coverImage = join(SCREENSHOTS, "06_pdf_cover");
    await poppler("pdftoppm", ["-png", "-r", "20", "-singlefile", "-l", "1", pdf, coverImage]);

    assert.deepEqual(uncaught, [], "no uncaught error in the page");
  } catch (error) {
    await browser.contexts()[0]?.pages()[0]?.screenshot({
      path: join(SCREENSHOTS, "failure.png"),
      fullPage: true,
    });
    throw error;
  } finally {
    await browser.close();
  }
}

async function routesAnswerOnlyTheOwner(platform: TestPlatform): Promise<void> {
  const [{ id: previewId }] = await platform.admin<{ id: string }[]>`select id from public.stories`;
  const stranger = await signInAnonymously(platform);
  const dev = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${platform.url}/dev/v1/${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

  const purchase = await dev("simulate-purchase", stranger.accessToken, {
    method: "POST",
    body: JSON.stringify({ preview_id: previewId, email: "stranger@example.com" }),
  });
  assert.equal(purchase.status, 404);
  assert.equal((await purchase.json()).error.code, "preview_not_found");
  const outbox = await dev("outbox", stranger.accessToken);
  assert.deepEqual(await outbox.json(), { emails: [] }, "another parent's book email is not listed");

  for (const key of [platform.anonKey, platform.serviceRoleKey]) {
    const response = await dev("outbox", key);
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.code, "unauthorized");
  }
  const [orders] = await platform.admin<
    { count: number }[]
  >`select count(*)::int as count from public.orders`;
  assert.equal(orders.count, 1, "the refused purchase made no order");
}
