/**
 * The email-worker: called by the database (pg_net, from internal.dispatch_delivery_tasks) once per email task,
 * with the service role key. One call sends one email:
 *
 *   load the outbox row ─▶ (sent already, or the order cancelled: drop the task) ─▶ sign the download link
 *   ─▶ render ─▶ keep the rendered message in the outbox ─▶ sender.send with the row's idempotency key
 *   (`book-ready/<order id>`) ─▶ complete_email (order and story delivered) | fail_email (retry with the same
 *   key after backoff or Retry-After; else failed, for an operator)
 *
 * A duplicate delivery of the task sends nothing twice: Resend keeps one email per idempotency key for 24 h, and
 * an outbox row already sent is not sent again.
 */
import { z } from "zod";
import { requireServiceKey } from "../_shared/auth.ts";
import type { DownloadTokens } from "../_shared/download_token.ts";
import { renderBookReadyEmail } from "../_shared/email/book_ready_email.ts";
import { type EmailSender, EmailSendError } from "../_shared/email/email_sender.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import { messageIdSchema } from "../_shared/queue_task.ts";
import type { EmailStore } from "./email_store.ts";

export interface EmailWorkerDeps {
  emails: EmailStore;
  sender: EmailSender;
  tokens: DownloadTokens;
  config: {
    serviceRoleKey: string;
    /** The downloads function's public URL, e.g. https://<ref>.supabase.co/functions/v1/downloads. */
    downloadsUrl: string;
    sendTimeoutMs: number;
  };
  log?: (line: string) => void;
}

const taskSchema = z.object({
  msg_id: messageIdSchema,
  email_id: z.guid(),
});

export function createEmailWorkerHandler(deps: EmailWorkerDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function send(emailId: string, msgId: string): Promise<string> {
    const email = await deps.emails.load(emailId);
    if (!email || email.status !== "queued" || email.orderStatus === "cancelled") {
      // Nothing to send: gone, sent by an earlier delivery, or the order was cancelled before we got here.
      return await deps.emails.fail(emailId, msgId, {
        error: email?.orderStatus === "cancelled" ? "the order was cancelled" : "nothing to send",
        retryable: false,
        retryAfterSeconds: null,
      });
    }
    if (!email.to || !email.downloadExpiresAt) {
      return await deps.emails.fail(emailId, msgId, {
        error: !email.to ? "the order has no e-mail address" : "the book has no download period",
        retryable: false,
        retryAfterSeconds: null,
      });
    }
    const token = await deps.tokens.sign(email.orderId, email.downloadExpiresAt);
    const message = renderBookReadyEmail({
      to: email.to,
      title: email.title ?? "Your picture book",
      childName: email.childName ?? "",
      downloadUrl: `${deps.config.downloadsUrl}/${email.orderId}?token=${encodeURIComponent(token)}`,
      expiresAt: email.downloadExpiresAt,
      orderName: email.orderName ?? "",
    });
    await deps.emails.recordRendered(emailId, message, deps.sender.name);
    try {
      const sent = await deps.sender.send(message, {
        idempotencyKey: email.idempotencyKey,
        signal: AbortSignal.timeout(deps.config.sendTimeoutMs),
      });
      await deps.emails.complete(emailId, msgId, sent.providerMessageId);
      return "sent";
    } catch (error) {
      if (!(error instanceof EmailSendError)) {
        // Counted like any attempt (fail_email stops after max_email_attempts), so it cannot loop for ever.
        const failure = error instanceof Error ? error.name : "error";
        return await deps.emails.fail(emailId, msgId, {
          error: `internal_error: ${failure}`,
          retryable: true,
          retryAfterSeconds: null,
        });
      }
      return await deps.emails.fail(emailId, msgId, {
        error: `${error.code}: ${error.message}`,
        retryable: error.retryable,
        retryAfterSeconds: error.retryAfterMs === undefined ? null : Math.ceil(error.retryAfterMs / 1000),
      });
    }
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const { msg_id: msgId, email_id: emailId } = taskSchema.parse(await readJson(request));
    const started = performance.now();
    const outcome = await send(emailId, msgId);
    // Ids only: never the address or the child's name.
    log(JSON.stringify({
      event: "email",
      email_id: emailId,
      sender: deps.sender.name,
      outcome,
      ms: Math.round(performance.now() - started),
    }));
    return json({ outcome });
  }

  return serveJson(handle, { log });
}
