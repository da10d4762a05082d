/**
 * GET downloads/{order_id}?token=… : the bought book's PDF, for the buyer's emailed link (the token) or the
 * signed-in owner (a session token), as a 302 to a Storage signed URL that lives a few minutes. No Supabase JWT
 * is required at the gateway (verify_jwt = false): an emailed link carries none.
 *
 *   403 bad_token · 401 unauthorized (no token, no session) · 404 order_not_found (unknown, or not the owner's)
 *   410 order_cancelled · 410 link_expired · 410 book_removed (deleted) · 409 book_not_ready (with Retry-After)
 */
import { z } from "zod";
import type { Authenticator } from "../_shared/auth.ts";
import type { Clock } from "../_shared/clock.ts";
import type { DownloadTokens } from "../_shared/download_token.ts";
import { ApiError, serveJson } from "../_shared/http.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import type { DownloadStore } from "./download_store.ts";

export interface DownloadDeps {
  downloads: DownloadStore;
  tokens: DownloadTokens;
  authenticate: Authenticator;
  objects: Pick<ObjectStore, "signedUrl">;
  clock: Clock;
  log?: (line: string) => void;
}

/** Long enough to start the download, short enough that a forwarded URL is soon useless. */
const SIGNED_URL_SECONDS = 300;

const orderId = z.guid();

export function createDownloadHandler(deps: DownloadDeps): (request: Request) => Promise<Response> {
  const notFound = () => new ApiError(404, "order_not_found", "There is no such order.");

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "GET") {
      throw new ApiError(405, "method_not_allowed", "Use GET here.", { allow: "GET" });
    }
    const url = new URL(request.url);
    const id = orderId.safeParse(url.pathname.split("/").filter(Boolean).at(-1));
    if (!id.success) throw notFound();
    const token = url.searchParams.get("token");

    let tokenExpiry: Date | null = null;
    let ownerId: string | null = null;
    if (token !== null) {
      tokenExpiry = await deps.tokens.verify(id.data, token);
      if (!tokenExpiry) throw new ApiError(403, "bad_token", "This download link is not valid.");
    } else {
      ownerId = (await deps.authenticate(request)).sub;
    }

    const order = await deps.downloads.find(id.data);
    // Someone else's order is as unknown to a signed-in user as an order that does not exist.
    if (!order || (ownerId !== null && order.userId !== ownerId)) throw notFound();
    if (order.status === "cancelled") {
      throw new ApiError(
        410,
        "order_cancelled",
        "This order was cancelled; its book can no longer be downloaded.",
      );
    }
    // The link's own expiry and the order's download period: whichever ends first.
    const expiries = [tokenExpiry, order.downloadExpiresAt].filter((date): date is Date => date !== null);
    if (expiries.some((date) => date <= deps.clock.now())) {
      throw new ApiError(410, "link_expired", "This download link has expired.");
    }
    if (!order.bookPath && order.bookReadyAt) {
      // The book was made, then deleted: its keeping period ended, or it was erased with the parent's data.
      throw new ApiError(410, "book_removed", "This book is no longer kept.");
    }
    if (!order.bookPath) {
      throw new ApiError(409, "book_not_ready", "The book is still being made; try again in a minute.", {
        "retry-after": "60",
      });
    }
    const location = await deps.objects.signedUrl("books", order.bookPath, SIGNED_URL_SECONDS);
    return new Response(null, { status: 302, headers: { location, "cache-control": "no-store" } });
  }

  return serveJson(handle, { log: deps.log });
}
