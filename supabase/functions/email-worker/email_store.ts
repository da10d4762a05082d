/** The email-worker's database access, as `postgres` (SUPABASE_DB_URL): the outbox and its queue. */
import type { Sql } from "../_shared/database.ts";
import type { Enums } from "../_shared/database.types.ts";

export interface EmailToSend {
  emailId: string;
  status: "queued" | "sent" | "failed";
  idempotencyKey: string;
  orderId: string;
  orderStatus: Enums<"order_status">;
  orderName: string | null;
  to: string | null;
  title: string | null;
  childName: string | null;
  downloadExpiresAt: Date | null;
}

export interface EmailStore {
  load(emailId: string): Promise<EmailToSend | null>;
  /** The rendered message, kept in the outbox before it is sent (one attempt counted). */
  recordRendered(
    emailId: string,
    message: { to: string; subject: string; html: string; text: string },
    sender: string,
  ): Promise<void>;
  complete(emailId: string, msgId: string, providerMessageId: string | null): Promise<void>;
  fail(
    emailId: string,
    msgId: string,
    failure: { error: string; retryable: boolean; retryAfterSeconds: number | null },
  ): Promise<string>;
}

export function createEmailStore(sql: Sql): EmailStore {
  return {
    async load(emailId) {
      const [row] = await sql<{
        email_id: string;
        status: EmailToSend["status"];
        idempotency_key: string;
        order_id: string;
        order_status: Enums<"order_status">;
        order_name: string | null;
        to_address: string | null;
        title: string | null;
        child_name: string | null;
        download_expires_at: Date | null;
      }[]>`select * from internal.email_to_send(${emailId}::uuid)`;
      if (!row) return null;
      return {
        emailId: row.email_id,
        status: row.status,
        idempotencyKey: row.idempotency_key,
        orderId: row.order_id,
        orderStatus: row.order_status,
        orderName: row.order_name,
        to: row.to_address,
        title: row.title,
        childName: row.child_name,
        downloadExpiresAt: row.download_expires_at,
      };
    },
    async recordRendered(emailId, message, sender) {
      await sql`
        select internal.record_email_rendered(
          ${emailId}::uuid, ${message.to}, ${message.subject}, ${message.html}, ${message.text}, ${sender}
        )`;
    },
    async complete(emailId, msgId, providerMessageId) {
      await sql`select internal.complete_email(${emailId}::uuid, ${msgId}::bigint, ${providerMessageId})`;
    },
    async fail(emailId, msgId, failure) {
      const [{ outcome }] = await sql<{ outcome: string }[]>`
        select internal.fail_email(
          ${emailId}::uuid, ${msgId}::bigint, ${failure.error}, ${failure.retryable},
          ${failure.retryAfterSeconds}::integer
        ) as outcome`;
      return outcome;
    },
  };
}
