/**
 * The state the bad-input catalogue's requests are made against, arranged once per run on a fresh database:
 * parents with their photos and previews, orders in each state a download link can meet, and session tokens
 * that are wrong in each way a token can be. The catalogue (bad_input_catalogue.ts) only reads it.
 *
 * Orders are bought the way Shopify buys them (a signed orders/paid, and orders/cancelled). Their books are
 * not drawn: `makeBook` completes the print job and keeps a small PDF with the book-worker's own
 * internal.complete_book, because the catalogue is about answers to bad input, not about drawing a book.
 */
import { createClient } from "@supabase/supabase-js";
import { generateKeyPair, SignJWT } from "jose";
import type { TestPlatform } from "../platform/tests/support/test_platform.ts";
import { createDownloadTokens, type DownloadTokens } from "../supabase/functions/_shared/download_token.ts";
import {
  createStoredPreview,
  markPreviewDrawn,
  type SignedInUser,
  signInAnonymously,
  storePhoto,
} from "../tests/support/preview_fixtures.ts";
import { orderBody, shopifyDelivery } from "../tests/support/shopify_fixtures.ts";

const SHOPIFY_WEBHOOK_SECRET = "shpss_inputs_suite_secret";
const DOWNLOAD_TOKEN_SECRET = "inputs-suite-download-link-secret-0123456789";

/** The function secrets the world needs the platform to run with (pass as `functionEnv`). */
export const INPUTS_FUNCTION_ENV: Record<string, string> = { SHOPIFY_WEBHOOK_SECRET, DOWNLOAD_TOKEN_SECRET };

export interface Parent extends SignedInUser {
  photoId: string;
}

export interface World {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  shopifySecret: string;
  /** Signs download links as the emails do (same DOWNLOAD_TOKEN_SECRET as the platform). */
  links: DownloadTokens;
  /** The main parent: a photo, a finished preview, and the orders below. */
  parent: Parent & {
    previewId: string;
    /** A preview whose job failed and has used every retry. */
    exhaustedPreviewId: string;
  };
  /** Another parent, whose photo, preview and orders are not the main parent's to see. */
  other: Parent & { previewId: string };
  /** A parent with nothing yet but a photo: the one request in the catalogue that creates a preview. */
  newcomer: Parent;
  /** Three previews being drawn (the limit of active generations) and 20 uploads in the last hour. */
  busy: Parent;
  /** A token whose session was signed out: still valid by signature, but the session is gone. */
  signedOutToken: string;
  tokens: {
    /** The parent's claims, signed by the platform's key, expired a minute ago. */
    expired: string;
    /** The parent's claims under the platform's key id, signed by another key. */
    otherKey: string;
    /** The parent's claims with `alg: none` and no signature. */
    unsigned: string;
    /** A session token of a user deleted since: its signature is still good until it expires. */
    deletedUser: string;
  };
  orders: {
    /** The parent's order whose book is ready: its link answers 302. */
    ready: { id: string; shopifyOrderId: string; previewId: string };
    cancelled: string;
    /** Its book was ready, then its PDF deleted (its keeping period ended). */
    removed: string;
    /** Paid, the book still being made. */
    notReady: string;
    /** The other parent's order whose book is ready. */
    othersReady: string;
  };
}

/** Arranges the world on a platform started with INPUTS_FUNCTION_ENV. */
export async function arrangeWorld(platform: TestPlatform): Promise<World> {
  const { admin } = platform;
  let nextOrderId = 1_000_000_000_000_000_001n;
  const buy = async (previewId: string) => {
    const shopifyOrderId = String(nextOrderId++);
    const outcome = await deliverSigned(
      platform,
      "orders/paid",
      orderBody({ orderId: shopifyOrderId, previewId }),
    );
    if (outcome !== "order_created") throw new Error(`arranging an order: orders/paid answered ${outcome}`);
    const [{ id }] = await admin<{ id: string }[]>`
      select id from public.orders where shopify_order_id = ${shopifyOrderId}`;
    return { id, shopifyOrderId };
  };
  const drawnPreview = async (parent: Parent) => {
    const previewId = await createStoredPreview(admin, parent.id, parent.photoId);
    await markPreviewDrawn(admin, previewId);
    return previewId;
  };
  const parentWithPhoto = async (): Promise<Parent> => {
    const user = await signInAnonymously(platform);
    return { ...user, photoId: await storePhoto(platform, user.id) };
  };

  const [parent, other, newcomer, busy] = await Promise.all(
    Array.from({ length: 4 }, () => parentWithPhoto()),
  );
  const previewId = await drawnPreview(parent);
  const exhaustedPreviewId = await drawnPreview(parent);
  await admin`
    update public.generation_jobs
       set status = 'failed', error = 'a page could not be drawn',
           retries = (select max_story_retries from internal.pipeline_settings)
     where story_id = ${exhaustedPreviewId}`;
  await admin`
    update public.story_pages set status = 'failed', preview_path = null
     where story_id = ${exhaustedPreviewId} and page_number = 3`;
  await admin`update public.stories set status = 'failed' where id = ${exhaustedPreviewId}`;
  const otherPreviewId = await drawnPreview(other);

  const readyPreviewId = await drawnPreview(parent);
  const ready = await buy(readyPreviewId);
  await makeBook(platform, ready.id, parent.id);
  const removed = await buy(await drawnPreview(parent));
  await makeBook(platform, removed.id, parent.id);
  // What maintenance's purge_books leaves once the keeping period has ended (internal.forget_books).
  await admin`update public.orders set book_path = null where id = ${removed.id}`;
  const cancelled = await buy(await drawnPreview(parent));
  const cancelledOutcome = await deliverSigned(
    platform,
    "orders/cancelled",
    orderBody({ orderId: cancelled.shopifyOrderId, cancelled: true, cancelReason: "customer" }),
  );
  if (cancelledOutcome !== "cancelled") {
    throw new Error(`arranging: orders/cancelled answered ${cancelledOutcome}`);
  }
  const notReady = await buy(await drawnPreview(parent));
  const othersReady = await buy(await drawnPreview(other));
  await makeBook(platform, othersReady.id, other.id);

  for (let count = 0; count < 3; count++) await createStoredPreview(admin, busy.id, busy.photoId);
  await admin`
    insert into internal.photo_upload_attempts (user_id, attempted_at)
    select ${busy.id}::uuid, now() - interval '10 minutes' from generate_series(1, 20)`;

  const signedOut = await signInAnonymously(platform);
  const logout = await fetch(`${platform.url}/auth/v1/logout`, {
    method: "POST",
    headers: { apikey: platform.anonKey, authorization: `Bearer ${signedOut.accessToken}` },
  });
  if (logout.status !== 204) throw new Error(`arranging: signing out answered ${logout.status}`);

  const deleted = await signInAnonymously(platform);
  await admin`delete from auth.users where id = ${deleted.id}`;

  // Nothing is left queued: a request that dispatches (creating a preview queues its cover and dispatches at
  // once) would otherwise also hand out arranged tasks, changing rows that are not its own.
  await admin`delete from pgmq.q_page_tasks`;
  await admin`delete from pgmq.q_book_tasks`;
  await admin`delete from pgmq.q_email_tasks`;

  const claims = { sub: parent.id, role: "authenticated", aud: "authenticated" };
  const keys = platform.platform.context.keys;
  return {
    url: platform.url,
    anonKey: platform.anonKey,
    serviceRoleKey: platform.serviceRoleKey,
    shopifySecret: SHOPIFY_WEBHOOK_SECRET,
    links: await createDownloadTokens(DOWNLOAD_TOKEN_SECRET),
    parent: { ...parent, previewId, exhaustedPreviewId },
    other: { ...other, previewId: otherPreviewId },
    newcomer,
    busy,
    signedOutToken: signedOut.accessToken,
    tokens: {
      expired: await keys.signAccessToken(claims, -60),
      otherKey: await signedWithAnotherKey(claims, String(keys.jwks.keys[0].kid)),
      unsigned: unsignedToken(claims),
      deletedUser: deleted.accessToken,
    },
    orders: {
      ready: { ...ready, previewId: readyPreviewId },
      cancelled: cancelled.id,
      removed: removed.id,
      notReady: notReady.id,
      othersReady: othersReady.id,
    },
  };
}

/** A signed delivery to the platform's shopify-webhooks; the answer's outcome. */
async function deliverSigned(platform: TestPlatform, topic: string, body: string): Promise<string> {
  const response = await fetch(
    await shopifyDelivery(`${platform.url}/functions/v1/shopify-webhooks`, body, {
      topic,
      secret: SHOPIFY_WEBHOOK_SECRET,
    }),
  );
  const answer = await response.json();
  if (response.status !== 200) throw new Error(`arranging: ${topic} answered ${JSON.stringify(answer)}`);
  return String(answer.outcome);
}

/**
 * A book ready to download, the way the pipeline gets there: the order's print job completes (its trigger
 * queues the assembly), then the book-worker's PDF is stored at books/<user>/<order>.pdf and kept with
 * internal.complete_book, which sets the download period and queues the email.
 */
async function makeBook(platform: TestPlatform, orderId: string, userId: string): Promise<void> {
  const path = `${userId}/${orderId}.pdf`;
  const pdf = new TextEncoder().encode("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
  const service = createClient(platform.url, platform.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { error } = await service.storage.from("books").upload(path, pdf, { contentType: "application/pdf" });
  if (error) throw new Error(`arranging: the book upload failed: ${error.message}`);
  const { admin } = platform;
  const [{ story_id: storyId }] = await admin<{ story_id: string }[]>`
    select story_id from public.orders where id = ${orderId}`;
  await admin`
    update public.story_pages set status = 'done'
     where job_id = (select id from public.generation_jobs where story_id = ${storyId} and kind = 'print')`;
  await admin`
    update public.generation_jobs set status = 'completed', pages_completed = total_pages
     where story_id = ${storyId} and kind = 'print'`;
  const [task] = await admin<{ msg_id: string }[]>`
    select msg_id from pgmq.q_book_tasks where message ->> 'order_id' = ${orderId}`;
  if (!task) throw new Error("arranging: the completed print job queued no book");
  const [{ kept }] = await admin<{ kept: boolean }[]>`
    select internal.complete_book(
             ${orderId}::uuid, ${task.msg_id}::bigint, ${path}, ${pdf.byteLength}, 16::smallint
           ) as kept`;
  if (!kept) throw new Error("arranging: internal.complete_book did not keep the book");
}

async function signedWithAnotherKey(claims: Record<string, string>, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256");
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
}

function unsignedToken(claims: Record<string, string>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const expiry = Math.floor(Date.now() / 1000) + 3600;
  return `${part({ alg: "none", typ: "JWT" })}.${part({ ...claims, exp: expiry })}.`;
}
