import assert from "node:assert/strict";
import { type BookReadyEmailInput, renderBookReadyEmail } from "./book_ready_email.ts";

const DOWNLOAD_URL = "https://talecraft.example/functions/v1/downloads/7f3e?token=abc.def-ghi&x=1";

function input(overrides: Partial<BookReadyEmailInput> = {}): BookReadyEmailInput {
  return {
    to: "parent@example.com",
    title: "Mia and the Moon Lantern",
    childName: "Mia",
    downloadUrl: DOWNLOAD_URL,
    expiresAt: new Date("2026-12-21T14:05:00Z"),
    orderName: "#1001",
    ...overrides,
  };
}

const VOID_ELEMENTS = new Set(["meta", "br"]);

/** The open elements left over (or the first mismatch) after reading the tags in order. */
function unbalancedTags(html: string): string[] {
  const open: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g)) {
    const [, closing, rawName] = match;
    const name = rawName.toLowerCase();
    if (VOID_ELEMENTS.has(name)) continue;
    if (closing === "") {
      open.push(name);
    } else if (open.pop() !== name) {
      return [`</${name}> does not close the open element`];
    }
  }
  return open;
}

Deno.test("the email goes to the parent, names the book and the order; `from` is left to the sender", () => {
  const message = renderBookReadyEmail(input());
  assert.equal(message.to, "parent@example.com");
  assert.equal(message.from, undefined);
  assert.match(message.subject, /Mia and the Moon Lantern/);
  assert.match(message.subject, /#1001/);
  assert.match(message.html, /Mia’s book is ready/);
  assert.match(message.text, /Mia’s book is ready/);
});

Deno.test("the download link is in both parts, escaped once in the HTML", () => {
  const { html, text } = renderBookReadyEmail(input());
  const escaped = DOWNLOAD_URL.replaceAll("&", "&amp;");
  assert.ok(text.split("\n").includes(DOWNLOAD_URL), "the text part has the link on its own line");
  assert.equal(html.split(`href="${escaped}"`).length - 1, 2, "the button and the plain link");
  assert.ok(!html.includes(`${DOWNLOAD_URL}"`), "no raw & in an attribute");
});

Deno.test("the link's expiry is stated as a date and time in UTC", () => {
  const { html, text } = renderBookReadyEmail(input());
  assert.match(text, /The link works until 21 December 2026 at 14:05 UTC\./);
  assert.match(html, /until <strong>21 December 2026 at 14:05 UTC<\/strong>/);
});

Deno.test("both parts say the link is personal", () => {
  const { html, text } = renderBookReadyEmail(input());
  assert.match(text, /It is personal to your order/);
  assert.match(html, /It is personal to your order/);
});

Deno.test("markup in a child's name, title or order name is escaped in the HTML and kept in the text", () => {
  const message = renderBookReadyEmail(input({
    childName: `<script>alert("x")</script>`,
    title: `Tom & Jerry's <b>Big</b> Day`,
    orderName: `#1001"><img src=x>`,
  }));
  assert.ok(!message.html.includes("<script>"));
  assert.ok(!message.html.includes("<b>Big"));
  assert.ok(!message.html.includes("<img"));
  assert.match(message.html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;’s book is ready/);
  assert.match(message.html, /Tom &amp; Jerry&#39;s &lt;b&gt;Big&lt;\/b&gt; Day/);
  assert.match(message.text, /<script>alert\("x"\)<\/script>’s book is ready/);
  assert.deepEqual(unbalancedTags(message.html), []);
});

Deno.test("a Unicode name is kept as written", () => {
  const { html, text } = renderBookReadyEmail(input({ childName: "Zoë-Åsa 李" }));
  assert.match(html, /Zoë-Åsa 李’s book is ready/);
  assert.match(text, /Zoë-Åsa 李’s book is ready/);
});

Deno.test("line breaks in a title cannot reach the subject line", () => {
  const { subject } = renderBookReadyEmail(input({ title: "Mia\r\nBcc: someone@example.com" }));
  assert.ok(!/[\r\n]/.test(subject));
  assert.match(subject, /Mia Bcc: someone@example\.com/);
});

Deno.test("the email has no attachment, no image and nothing loaded from elsewhere", () => {
  const message = renderBookReadyEmail(input());
  assert.deepEqual(Object.keys(message).sort(), ["html", "subject", "text", "to"]);
  assert.ok(!/<img|<link|<script|url\(|src=/i.test(message.html));
});

Deno.test("the HTML is a complete document whose elements are all closed", () => {
  const { html } = renderBookReadyEmail(input());
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.match(html, /<meta charset="utf-8">/);
  assert.deepEqual(unbalancedTags(html), []);
  assert.ok(!html.includes("\\"), "no stray line-continuation characters");
});

Deno.test("the unbalanced-tag check notices a missing close", () => {
  assert.deepEqual(unbalancedTags("<div><p>x</div>"), ["</div> does not close the open element"]);
  assert.deepEqual(unbalancedTags("<div><p>x</p>"), ["div"]);
});

Deno.test("a download link that is not http(s) is refused", () => {
  assert.throws(
    () => renderBookReadyEmail(input({ downloadUrl: "javascript:alert(1)" })),
    /must be an http\(s\) URL/,
  );
});

Deno.test("an invalid expiry date is refused", () => {
  assert.throws(() => renderBookReadyEmail(input({ expiresAt: new Date("nope") })), /not a valid date/);
});
