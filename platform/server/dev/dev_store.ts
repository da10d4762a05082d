/**
 * What the dev routes read from the project database. They run as the platform's admin connection, so every
 * query is scoped to the verified caller's user id here, in SQL, rather than by row level security: the outbox
 * lives in `internal`, which no API role may read.
 */
import type postgres from "postgres";
import { downloadLinkIn } from "./book_download.ts";

/** One book email as the console shows it: the rendered message and the download link it carries. */
export interface BookEmail {
  /** Shopify's order id (digits, as text: it exceeds 2^53), as the simulated purchase answered it. */
  order_id: string;
  order_name: string | null;
  to: string | null;
  subject: string | null;
  /** queued (not rendered or not sent yet), sent, or failed. */
  status: string;
  created_at: string;
  sent_at: string | null;
  text: string | null;
  html: string | null;
  /** The signed `downloads/{order}?token=…` link found in the text, or null before the email is rendered. */
  download_url: string | null;
  last_error: string | null;
}

export interface DevStore {
  /** Whether `previewId` is a story of `userId`. */
  ownsPreview(userId: string, previewId: string): Promise<boolean>;
  /** The user's book emails, newest first. */
  bookEmails(userId: string): Promise<BookEmail[]>;
}

/** At most this many emails are listed: the console shows the latest, a person never has more in a session. */
const OUTBOX_LIMIT = 20;

export function createDevStore(sql: postgres.Sql): DevStore {
  return {
    async ownsPreview(userId, previewId) {
      const rows = await sql`
        select 1 from public.stories where id = ${previewId}::uuid and user_id = ${userId}::uuid`;
      return rows.length === 1;
    },

    async bookEmails(userId) {
      const rows = await sql<
        (Omit<BookEmail, "download_url" | "created_at" | "sent_at"> & {
          created_at: Date;
          sent_at: Date | null;
        })[]
      >`
        select o.shopify_order_id as order_id, o.order_name, e.to_address as "to", e.subject, e.status,
               e.created_at, e.sent_at, e.text_body as text, e.html, e.last_error
          from internal.email_outbox e
          join public.orders o on o.id = e.order_id
         where o.user_id = ${userId}::uuid
         order by e.created_at desc
         limit ${OUTBOX_LIMIT}`;
      return rows.map((row) => ({
        ...row,
        created_at: row.created_at.toISOString(),
        sent_at: row.sent_at?.toISOString() ?? null,
        download_url: row.text === null ? null : downloadLinkIn(row.text),
      }));
    },
  };
}
