/**
 * A book as its buyer reaches it: the download link in the book-ready email, followed as a browser follows it
 * (downloads answers a 302 to a short-lived signed Storage URL, which serves the PDF). Shared by the dev routes,
 * the demo and the faults suite.
 */

/** The book's download link in an email's text: `<url>/downloads/<order uuid>?token=<token>`. */
export function downloadLinkIn(text: string): string | null {
  return /https?:\/\/\S+\/downloads\/[0-9a-f-]{36}\?token=[^\s"'<>]+/.exec(text)?.[0] ?? null;
}

/** Follows the link to the PDF; throws saying which step did not answer as it should. */
export async function downloadBook(link: string): Promise<Uint8Array> {
  const redirect = await fetch(link, { redirect: "manual" });
  await redirect.body?.cancel();
  const location = redirect.headers.get("location");
  if (redirect.status !== 302 || !location) throw new Error(`the download link answered ${redirect.status}`);
  const file = await fetch(location);
  if (!file.ok) {
    await file.body?.cancel();
    throw new Error(`the signed PDF URL answered ${file.status}`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (new TextDecoder().decode(bytes.subarray(0, 5)) !== "%PDF-") {
    throw new Error("the download is not a PDF");
  }
  return bytes;
}
