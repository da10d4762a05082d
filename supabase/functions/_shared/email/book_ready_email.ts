/**
 * The "your book is ready" email: a personal, signed download link and nothing else. No attachment (a print
 * PDF outgrows mail limits), no images and no tracking pixels; the HTML is plain with inline styles, and a
 * text part says the same.
 */
import type { EmailMessage } from "./email_sender.ts";

export interface BookReadyEmailInput {
  /** The parent's address. */
  to: string;
  /** The book's title, as on its cover. */
  title: string;
  /** The child's first name, as the parent typed it. */
  childName: string;
  /** The signed link to `GET downloads/{order_id}?token=…`. */
  downloadUrl: string;
  /** When the link stops working (30 days after it was made). */
  expiresAt: Date;
  /** The shop's name for the order, e.g. "#1001". */
  orderName: string;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const COLOURS = { text: "#2b2b2b", muted: "#6b6b6b", accent: "#2f6b4f", page: "#f7f4ee", card: "#ffffff" };
const FONT = "Georgia, 'Times New Roman', serif";

/** The message without `from`: the sender's configuration supplies it. */
export function renderBookReadyEmail(input: BookReadyEmailInput): EmailMessage {
  const link = new URL(input.downloadUrl);
  // The link is ours, but an href is the one place a wrong scheme would turn into script.
  if (link.protocol !== "https:" && link.protocol !== "http:") {
    throw new TypeError("the download link must be an http(s) URL");
  }
  if (Number.isNaN(input.expiresAt.getTime())) throw new TypeError("the link's expiry is not a valid date");

  const title = oneLine(input.title);
  const childName = oneLine(input.childName);
  const orderName = oneLine(input.orderName);
  const url = link.href;
  const until = formatExpiry(input.expiresAt);
  const subject = `Your book “${title}” is ready to download (order ${orderName})`;
  const heading = `${childName}’s book is ready`;

  const text = [
    heading,
    "",
    `Thank you for your order ${orderName}. The book “${title}” is ready to download as a print-ready PDF:`,
    "",
    url,
    "",
    `The link works until ${until}.`,
    "It is personal to your order: anyone who has it can download the book, so please keep it to yourself.",
    "",
    `You are receiving this email because you ordered a personalised book (order ${orderName}).`,
    "",
  ].join("\n");

  const e = escapeHtml;
  const paragraph = "margin: 0 0 16px;";
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(subject)}</title>
</head>
<body style="margin: 0; padding: 0; background-color: ${COLOURS.page};">
<div style="max-width: 560px; margin: 0 auto; padding: 32px 16px;">
<div style="background-color: ${COLOURS.card}; padding: 32px 24px; font-family: ${FONT}; font-size: 16px; \
line-height: 1.5; color: ${COLOURS.text};">
<h1 style="margin: 0 0 16px; font-size: 24px; font-weight: normal;">${e(heading)}</h1>
<p style="${paragraph}">Thank you for your order ${e(orderName)}. The book <strong>${e(title)}</strong> \
is ready to download as a print-ready PDF.</p>
<p style="margin: 24px 0;"><a href="${e(url)}" style="display: inline-block; padding: 12px 20px; \
background-color: ${COLOURS.accent}; color: #ffffff; text-decoration: none; border-radius: 4px;">\
Download the book (PDF)</a></p>
<p style="${paragraph}">If the button does not work, copy this link into your browser:<br>
<a href="${e(url)}" style="color: ${COLOURS.accent}; word-break: break-all;">${e(url)}</a></p>
<p style="${paragraph}">The link works until <strong>${e(until)}</strong>. It is personal to your order: \
anyone who has it can download the book, so please keep it to yourself.</p>
<p style="margin: 24px 0 0; font-size: 13px; color: ${COLOURS.muted};">You are receiving this email because \
you ordered a personalised book (order ${e(orderName)}).</p>
</div>
</div>
</body>
</html>
`;

  return { to: input.to, subject, html, text };
}

/** "21 December 2026 at 14:05 UTC": a fixed form, so the email reads the same wherever it is rendered. */
function formatExpiry(date: Date): string {
  const hours = String(date.getUTCHours()).padStart(2, "0");
  const minutes = String(date.getUTCMinutes()).padStart(2, "0");
  const day = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  return `${day} at ${hours}:${minutes} UTC`;
}

/** Names and titles go into a subject line and a heading, where a line break is header or layout noise. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
