/**
 * The local-only routes under `/dev/v1` that the dev console needs and a deployed project has no equivalent of.
 * Each answers only a signed-in user's session, and errors in the API's one shape, `{"error": {"code",
 * "message"}}`, so the console shows them as it shows the functions' own.
 *
 *   POST /dev/v1/simulate-purchase  {preview_id, email} → a signed orders/paid sent to shopify-webhooks, as
 *                                   Shopify sends it after checkout → {order_id, webhook_status, outcome}
 *   GET  /dev/v1/outbox             {emails: [...]}: the caller's book emails, as the outbox stand-in keeps them
 *   GET  /dev/v1/sample-photo       a public-domain portrait with one clear face (JPEG), for trying the upload
 */
import { z } from "zod";
import { json } from "../http.ts";
import type { DevStore } from "./dev_store.ts";
import { orderBody } from "./shopify_deliveries.ts";

export const DEV_PREFIX = "/dev/v1";

export interface DevDeps {
  /** The user id of the request's session; throws DevError 401 for anything else (no token, an API key). */
  authenticate(request: Request): Promise<string>;
  store: DevStore;
  /** Signs `body` as Shopify's orders/paid and POSTs it to this platform's shopify-webhooks; its answer. */
  deliverOrderPaid(body: string): Promise<Response>;
  newOrderId(): string;
  samplePhoto(): Promise<Uint8Array<ArrayBuffer>>;
  onError(error: unknown): void;
}

/** An error the caller is meant to see, with its status and snake_case code. */
export class DevError extends Error {
  override readonly name = "DevError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const purchaseSchema = z.object({
  preview_id: z.guid({ error: "must be a preview id (a UUID)" }),
  email: z.email({ error: "must be an email address" }),
}, { error: "must be a JSON object" });

interface Route {
  method: "GET" | "POST";
  handle(request: Request, userId: string): Promise<Response>;
}

export function createDevHandler(deps: DevDeps): (request: Request, url: URL) => Promise<Response> {
  async function simulatePurchase(request: Request, userId: string): Promise<Response> {
    let input: unknown;
    try {
      input = await request.json();
    } catch {
      throw new DevError(400, "invalid_request", "The request body must be a JSON object.");
    }
    const { preview_id: previewId, email } = purchaseSchema.parse(input);
    // Another user's preview is as unknown as one that does not exist, as in the previews API.
    if (!(await deps.store.ownsPreview(userId, previewId))) {
      throw new DevError(404, "preview_not_found", "No preview with this id was found.");
    }
    const orderId = deps.newOrderId();
    const answer = await deps.deliverOrderPaid(orderBody({ orderId, previewId, email }));
    const reply = await answer.json().catch(() => null);
    if (answer.status !== 200) {
      const detail = reply?.error?.code ? ` (${reply.error.code}: ${reply.error.message})` : "";
      throw new DevError(502, "webhook_refused", `shopify-webhooks answered ${answer.status}${detail}.`);
    }
    return json({ order_id: orderId, webhook_status: answer.status, outcome: reply?.outcome ?? null });
  }

  async function outbox(_request: Request, userId: string): Promise<Response> {
    return json({ emails: await deps.store.bookEmails(userId) });
  }

  async function samplePhoto(): Promise<Response> {
    return new Response(await deps.samplePhoto(), {
      headers: {
        "content-type": "image/jpeg",
        "content-disposition": 'inline; filename="sample-astronaut.jpg"',
        "cache-control": "private, max-age=3600",
      },
    });
  }

  const routes = new Map<string, Route>([
    ["simulate-purchase", { method: "POST", handle: simulatePurchase }],
    ["outbox", { method: "GET", handle: outbox }],
    ["sample-photo", { method: "GET", handle: samplePhoto }],
  ]);

  async function route(request: Request, url: URL): Promise<Response> {
    const matched = routes.get(url.pathname.slice(DEV_PREFIX.length + 1));
    if (!matched) throw new DevError(404, "not_found", "There is no such route.");
    if (request.method !== matched.method) {
      throw new DevError(405, "method_not_allowed", `Use ${matched.method} here.`, {
        allow: `${matched.method}, OPTIONS`,
      });
    }
    return await matched.handle(request, await deps.authenticate(request));
  }

  return async (request, url) => {
    try {
      return await route(request, url);
    } catch (error) {
      return errorResponse(error, deps.onError);
    }
  };
}

/** The one place where what a route throws becomes a response. */
function errorResponse(error: unknown, onError: (error: unknown) => void): Response {
  if (error instanceof DevError) {
    return json({ error: { code: error.code, message: error.message } }, error.status, error.headers);
  }
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join(".") : "body";
    return json({ error: { code: "invalid_request", message: `${field}: ${issue.message}` } }, 400);
  }
  onError(error);
  return json(
    { error: { code: "internal_error", message: "The dev route failed; see the platform's log." } },
    500,
  );
}
