import assert from "node:assert/strict";
import { createDownloadTokens } from "../_shared/download_token.ts";
import { type EmailMessage, type EmailSender, EmailSendError } from "../_shared/email/email_sender.ts";
import type { EmailStore, EmailToSend } from "./email_store.ts";
import { createEmailWorkerHandler } from "./handler.ts";

const SERVICE_KEY = "service-role-key";
const EMAIL_ID = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";
const ORDER_ID = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";

const QUEUED: EmailToSend = {
  emailId: EMAIL_ID,
  status: "queued",
  idempotencyKey: `book-ready/${ORDER_ID}`,
  orderId: ORDER_ID,
  orderStatus: "paid",
  orderName: "#1001",
  to: "parent@example.com",
  title: "Zoë's Enchanted Forest Adventure",
  childName: "Zoë",
  downloadExpiresAt: new Date("2026-12-30T12:00:00Z"),
};

async function setup(options: { email?: EmailToSend | null; sendError?: EmailSendError } = {}) {
  const steps: string[] = [];
  const sent: { message: EmailMessage; idempotencyKey: string }[] = [];
  const logs: string[] = [];
  const emails: EmailStore = {
    load: () => Promise.resolve(options.email === undefined ? QUEUED : options.email),
    recordRendered: (_id, message, sender) => {
      steps.push(`rendered:${sender}:${message.subject}`);
      return Promise.resolve();
    },
    complete: (_id, msgId, providerMessageId) => {
      steps.push(`complete:${msgId}:${providerMessageId}`);
      return Promise.resolve();
    },
    fail: (_id, msgId, failure) => {
      steps.push(`fail:${msgId}:${failure.retryable}:${failure.retryAfterSeconds}:${failure.error}`);
      return Promise.resolve(failure.retryable ? "retrying" : "failed");
    },
  };
  const sender: EmailSender = {
    name: "test-sender",
    send: (message, { idempotencyKey }) => {
      sent.push({ message, idempotencyKey });
      return options.sendError
        ? Promise.reject(options.sendError)
        : Promise.resolve({ providerMessageId: "re_1" });
    },
  };
  const tokens = await createDownloadTokens("project-secret");
  const handler = createEmailWorkerHandler({
    emails,
    sender,
    tokens,
    config: {
      serviceRoleKey: SERVICE_KEY,
      downloadsUrl: "https://project.supabase.co/functions/v1/downloads",
      sendTimeoutMs: 1000,
    },
    log: (line) => logs.push(line),
  });
  const call = async () => {
    const response = await handler(
      new Request("http://functions.test/email-worker", {
        method: "POST",
        headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ msg_id: 7, email_id: EMAIL_ID }),
      }),
    );
    return (await response.json()).outcome as string;
  };
  return { call, steps, sent, logs, tokens };
}

Deno.test("the email is rendered into the outbox, sent with the order's idempotency key, and completed", async () => {
  const { call, steps, sent, tokens } = await setup();
  assert.equal(await call(), "sent");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].idempotencyKey, `book-ready/${ORDER_ID}`);
  assert.equal(sent[0].message.to, "parent@example.com");
  const link = /https:\/\/project\.supabase\.co\/functions\/v1\/downloads\/[0-9a-f-]{36}\?token=(\S+)/.exec(
    sent[0].message.text,
  );
  assert.ok(link, "the text part holds the download link");
  assert.deepEqual(await tokens.verify(ORDER_ID, decodeURIComponent(link[1])), QUEUED.downloadExpiresAt);
  assert.equal(steps.length, 2);
  assert.match(steps[0], /^rendered:test-sender:/);
  assert.equal(steps[1], "complete:7:re_1");
});

Deno.test("a rate-limited send is retried after the provider's Retry-After with the same key", async () => {
  const { call, steps } = await setup({
    sendError: new EmailSendError("rate_limited", "Resend answered 429", {
      retryable: true,
      retryAfterMs: 2500,
    }),
  });
  assert.equal(await call(), "retrying");
  assert.equal(steps.at(-1), "fail:7:true:3:rate_limited: Resend answered 429");
});

Deno.test("an idempotency conflict is not resent: it fails for an operator", async () => {
  const { call, steps } = await setup({
    sendError: new EmailSendError("idempotency_conflict", "the key belongs to another payload", {
      retryable: false,
    }),
  });
  assert.equal(await call(), "failed");
  assert.match(steps.at(-1)!, /^fail:7:false:null:idempotency_conflict/);
});

Deno.test("an email already sent, or for a cancelled order, sends nothing", async () => {
  for (
    const email of [{ ...QUEUED, status: "sent" as const }, { ...QUEUED, orderStatus: "cancelled" as const }]
  ) {
    const { call, sent } = await setup({ email });
    assert.equal(await call(), "failed");
    assert.deepEqual(sent, []);
  }
});

Deno.test("an order without an address fails for an operator without sending", async () => {
  const { call, sent, steps } = await setup({ email: { ...QUEUED, to: null } });
  assert.equal(await call(), "failed");
  assert.deepEqual(sent, []);
  assert.match(steps.at(-1)!, /no e-mail address/);
});

Deno.test("the log names the email by id, never the address or the child", async () => {
  const { call, logs } = await setup();
  await call();
  assert.ok(logs.some((line) => line.includes(EMAIL_ID)));
  assert.ok(logs.every((line) => !line.includes("parent@example.com") && !line.includes("Zoë")));
});
