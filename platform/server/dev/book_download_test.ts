import assert from "node:assert/strict";
import { downloadLinkIn } from "./book_download.ts";

const LINK =
  "http://127.0.0.1:54321/functions/v1/downloads/3f1d2c4b-5a6e-4f70-8192-a3b4c5d6e7f8?token=eyJ.abc_-.x";

Deno.test("the download link is found in the email's text, whole and without what follows it", () => {
  const text =
    `Emma’s book is ready\n\nThe book is ready to download as a print-ready PDF:\n\n${LINK}\n\nThe link works until…`;
  assert.equal(downloadLinkIn(text), LINK);
});

Deno.test("a text without a download link has none", () => {
  assert.equal(downloadLinkIn("Thank you for your order."), null);
  assert.equal(downloadLinkIn("http://127.0.0.1:54321/functions/v1/downloads/not-an-order?token=x"), null);
});
