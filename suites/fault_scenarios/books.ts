/**
 * Books bought end to end while a scenario breaks things, and the checks that they came through whole.
 *
 * Each book has its own anonymous parent (the product allows three active generations per parent). The suite
 * acts as the parent's app and as Shopify would: it creates the preview, waits for it, sends a correctly signed
 * orders/paid, and waits for the book-ready email. A request the platform did not answer (killed, restarting,
 * its database down) is sent again, as Shopify resends a delivery it got no 200 for; the same webhook id goes
 * with every resend. A job that failed after its last attempt is retried as the parent would, with
 * POST previews/{id}/retry, and counted: the report says how often that was needed.
 */
import type postgres from "postgres";
import {
  type PlatformEndpoints,
  requestPreview,
  type SignedInUser,
  signInAnonymously,
  storePhoto,
  userClient,
} from "../../tests/support/preview_fixtures.ts";
import { orderBody, shopifyDelivery } from "../../tests/support/shopify_fixtures.ts";

export const SHOPIFY_SECRET = "shpss_faults_suite_secret";
export const RESEND_API_KEY = "re_faults_suite_key";

// Every page of the 11 is brought to print; the cover and pages 1–5 were drawn for the preview before.
export const BOOK_PAGES = 11;
const POLL_MS = 250;
const RESEND_PAUSE_MS = 500;

export interface Book {
  index: number;
  parent: SignedInUser;
  storyId: string;
  /** Shopify's order id (digits, above 2^53 as Shopify's are). */
  shopifyOrderId: string;
  /** orders/paid requests sent, resends included. */
  paidDeliveries: number;
  /** Times the suite pressed retry as the parent would, after a job failed on its last attempt. */
  parentRetries: number;
  /** Page attempts (claims) per job, including those a parent's retry reset to zero. */
  attempts: { preview: number; print: number };
  /** Where the book is on its way (blows are aimed at stages some book has still to pass), or how it ended. */
  stage: Stage | "delivered" | "failed";
}

/**
 * The stages of a book, in order. orders/paid is answered within milliseconds: no blow can be aimed at it, one
 * finds it only by chance.
 */
export const STAGES = ["preview page", "orders/paid", "print page", "book assembly", "email"] as const;
export type Stage = typeof STAGES[number];

export interface DriveContext {
  endpoints: PlatformEndpoints;
  /** Epoch ms after which a book still not delivered fails the scenario. */
  deadline: number;
  /** orders/paid requests waiting for their answer right now (shown at each kill). */
  webhooksInFlight: number;
}

/** A signed-in parent, their photo and their preview; the book's index picks the theme and style. */
async function requestBook(endpoints: PlatformEndpoints, index: number): Promise<Book> {
  const themes = await endpoints.admin<{ id: string; min_age: number }[]>`
    select id, min_age from public.themes where is_active order by id`;
  const theme = themes[index % themes.length];
  const parent = await signInAnonymously(endpoints);
  const photoId = await storePhoto(endpoints, parent.id);
  const created = await requestPreview(userClient(endpoints, parent.accessToken), photoId, {
    theme: theme.id,
    child_age: Math.max(theme.min_age, 4),
    style: index % 2 === 0 ? "cartoon_3d" : "photorealistic",
  });
  return {
    index,
    parent,
    storyId: created.preview_id,
    shopifyOrderId: `8209829119461${String(54000 + index).padStart(5, "0")}`,
    paidDeliveries: 0,
    parentRetries: 0,
    attempts: { preview: 0, print: 0 },
    stage: "preview page",
  };
}

/** Every book requested at once. */
export async function requestBooks(endpoints: PlatformEndpoints, count: number): Promise<Book[]> {
  return await Promise.all(Array.from({ length: count }, (_, index) => requestBook(endpoints, index)));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A query that may meet the database restarting: undefined then, and the caller asks again. */
async function tolerant<T>(query: () => Promise<T>): Promise<T | undefined> {
  try {
    return await query();
  } catch {
    return undefined;
  }
}

/** Sends the request until the platform answers it with anything but a 5xx. */
async function sendUntilAnswered(
  context: DriveContext,
  request: () => Request | Promise<Request>,
): Promise<Response> {
  while (Date.now() < context.deadline) {
    try {
      const response = await fetch(await request());
      if (response.status < 500) return response;
      await response.body?.cancel();
    } catch {
      // Not listening (killed or starting): sent again.
    }
    await pause(RESEND_PAUSE_MS);
  }
  throw new Error("the platform did not answer before the deadline");
}

async function pageAttempts(admin: postgres.Sql, storyId: string, only: "all" | "failed"): Promise<number> {
  const [{ attempts }] = await admin<{ attempts: number }[]>`
    select coalesce(sum(attempts), 0)::int as attempts from public.story_pages
     where story_id = ${storyId} ${only === "failed" ? admin`and status = 'failed'` : admin``}`;
  return attempts;
}

/** POST previews/{id}/retry as the parent's app does after a failed job. */
async function pressRetry(context: DriveContext, book: Book, kind: "preview" | "print"): Promise<void> {
  // retry_story gives the failed pages fresh attempts: what they used is counted first.
  const used = await pageAttempts(context.endpoints.admin, book.storyId, "failed");
  const response = await sendUntilAnswered(
    context,
    () =>
      new Request(`${context.endpoints.url}/functions/v1/previews/${book.storyId}/retry`, {
        method: "POST",
        headers: { authorization: `Bearer ${book.parent.accessToken}` },
      }),
  );
  const body = await response.json();
  // 409 nothing_to_retry: a retry whose answer the kill cut off had already re-queued the pages.
  if (response.status !== 202 && body?.error?.code !== "nothing_to_retry") {
    throw new Error(`book ${book.index}: retry answered ${response.status} ${body?.error?.code}`);
  }
  book.attempts[kind] += used;
  book.parentRetries++;
}

async function jobStatus(admin: postgres.Sql, storyId: string, kind: "preview" | "print") {
  const [job] = await admin<{ status: string }[]>`
    select status::text from public.generation_jobs where story_id = ${storyId} and kind = ${kind}`;
  return job?.status;
}

async function untilPreviewDrawn(context: DriveContext, book: Book): Promise<void> {
  const { admin } = context.endpoints;
  while (Date.now() < context.deadline) {
    const status = await tolerant(() => jobStatus(admin, book.storyId, "preview"));
    if (status === "completed") return;
    if (status === "failed") await pressRetry(context, book, "preview");
    await pause(POLL_MS);
  }
  throw new Error(`book ${book.index}: the preview was not drawn before the deadline`);
}

/** orders/paid for the book, resent until Shopify would have its 200. */
async function buy(context: DriveContext, book: Book): Promise<void> {
  const body = orderBody({
    orderId: book.shopifyOrderId,
    previewId: book.storyId,
    email: `parent${book.index}@example.com`,
  });
  const webhookId = crypto.randomUUID();
  context.webhooksInFlight++;
  try {
    const response = await sendUntilAnswered(context, () => {
      book.paidDeliveries++;
      return shopifyDelivery(`${context.endpoints.url}/functions/v1/shopify-webhooks`, body, {
        topic: "orders/paid",
        secret: SHOPIFY_SECRET,
        webhookId,
      });
    });
    const answer = await response.json();
    if (response.status !== 200 || !["order_created", "duplicate"].includes(answer.outcome)) {
      throw new Error(
        `book ${book.index}: orders/paid answered ${response.status} ${JSON.stringify(answer)}`,
      );
    }
  } finally {
    context.webhooksInFlight--;
  }
}

async function untilDelivered(context: DriveContext, book: Book): Promise<void> {
  const { admin } = context.endpoints;
  while (Date.now() < context.deadline) {
    const [order] = await tolerant(() =>
      admin<
        {
          printed: boolean;
          print_failed: boolean;
          assembled: boolean;
          book_error: string | null;
          email: string | null;
        }[]
      >`
        select j.status = 'completed' as printed, j.status = 'failed' as print_failed,
               o.book_path is not null as assembled, o.book_error, e.status as email
          from public.orders o
          left join public.generation_jobs j on j.story_id = o.story_id and j.kind = 'print'
          left join internal.email_outbox e on e.order_id = o.id
         where o.story_id = ${book.storyId}`
    ) ?? [];
    if (order?.email === "sent") return;
    if (order?.book_error) throw new Error(`book ${book.index}: the book failed: ${order.book_error}`);
    if (order?.email === "failed") throw new Error(`book ${book.index}: the email failed`);
    if (order) book.stage = order.assembled ? "email" : order.printed ? "book assembly" : "print page";
    if (order?.print_failed) await pressRetry(context, book, "print");
    await pause(POLL_MS);
  }
  throw new Error(`book ${book.index}: not delivered before the deadline`);
}

/** Preview drawn → bought → printed, assembled and emailed. Throws, naming the book, if it cannot get there. */
export async function driveBook(context: DriveContext, book: Book): Promise<void> {
  try {
    await untilPreviewDrawn(context, book);
    book.attempts.preview += await pageAttempts(context.endpoints.admin, book.storyId, "all");
    book.stage = "orders/paid";
    await buy(context, book);
    book.stage = "print page";
    await untilDelivered(context, book);
    book.attempts.print += await pageAttempts(context.endpoints.admin, book.storyId, "all");
    book.stage = "delivered";
  } catch (error) {
    book.stage = "failed";
    throw error;
  }
}

/** The reasons of the drives that did not arrive. */
export async function failedDrives(drives: Promise<void>[]): Promise<string[]> {
  const outcomes = await Promise.allSettled(drives);
  return outcomes.flatMap((outcome) => outcome.status === "rejected" ? [String(outcome.reason)] : []);
}
