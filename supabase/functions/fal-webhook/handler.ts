/**
 * POST fal-webhook: fal.ai's queue calls this when a request we submitted has finished. There is no Supabase
 * JWT (verify_jwt = false); fal's Ed25519 signature is the authentication.
 *
 *   raw body (≤ 1 MB) ─▶ signature over request id, user id, timestamp and the body's SHA-256 (JWKS keys)
 *     ─▶ the body's request_id must be the signed one ─▶ finisher: one delivery stores the result
 *
 * Answers: 200 with the outcome (duplicates and late deliveries too, so fal stops retrying); 401 for a bad,
 * stale or unknown-key signature, and nothing changes; 409 for a request not recorded yet (the webhook raced the
 * worker's bookkeeping: fal retries it); 503 when fal's keys cannot be fetched (fal retries) or fal is not
 * configured on this project.
 */
import { z } from "zod";
import { WebhookSignatureError } from "../_shared/fal/webhook_signature.ts";
import { webhookError } from "../_shared/fal/fal_queue.ts";
import { ApiError, json, readBodyWithin, serveJson } from "../_shared/http.ts";
import type { FinishOutcome, ProviderAnswer } from "../_shared/provider_call_finisher.ts";

/** fal's webhook body: the model's output on success, the error and its details otherwise. */
export const falWebhookSchema = z.discriminatedUnion("status", [
  z.object({
    request_id: z.string().min(1),
    gateway_request_id: z.string().optional().nullable(),
    status: z.literal("OK"),
    payload: z.unknown(),
    payload_error: z.string().optional().nullable(),
  }),
  z.object({
    request_id: z.string().min(1),
    gateway_request_id: z.string().optional().nullable(),
    status: z.literal("ERROR"),
    error: z.string().optional().nullable(),
    payload: z.unknown(),
  }),
]);

export interface FalWebhookDeps {
  verifier: { verify(headers: Headers, rawBody: Uint8Array): Promise<{ requestId: string; userId: string }> };
  /** Null when fal is not configured on this project (no FAL_KEY). */
  finisher: { finish(requestId: string, answer: ProviderAnswer): Promise<FinishOutcome> } | null;
  /** Our fal account's user id: a webhook fal signed for another account is refused. */
  expectedUserId?: string;
  log?: (line: string) => void;
}

// Outputs are URLs, not inline data (no sync_mode), so a webhook body is small.
const MAX_BODY_BYTES = 1024 * 1024;

export function createFalWebhookHandler(deps: FalWebhookDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    const finisher = deps.finisher;
    if (!finisher) {
      throw new ApiError(503, "fal_not_configured", "fal.ai is not configured on this project (FAL_KEY).");
    }
    const raw = await readBodyWithin(
      request,
      MAX_BODY_BYTES,
      () => new ApiError(413, "payload_too_large", "A webhook body is at most 1 MB."),
    );
    let verified: { requestId: string; userId: string };
    try {
      verified = await deps.verifier.verify(request.headers, raw);
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      log(JSON.stringify({ level: "warn", event: "fal_webhook_refused", reason: error.reason }));
      if (error.reason === "keys_unavailable") {
        throw new ApiError(
          503,
          "keys_unavailable",
          "The webhook signing keys cannot be fetched; retry later.",
          {
            "retry-after": "30",
          },
        );
      }
      throw new ApiError(401, "invalid_signature", "The webhook signature is not valid.");
    }

    let body: z.infer<typeof falWebhookSchema>;
    try {
      body = falWebhookSchema.parse(JSON.parse(new TextDecoder().decode(raw)));
    } catch {
      throw new ApiError(400, "invalid_request", "The webhook body is not a fal webhook.");
    }
    if (deps.expectedUserId !== undefined && verified.userId !== deps.expectedUserId) {
      log(JSON.stringify({ level: "warn", event: "fal_webhook_refused", reason: "other_account" }));
      throw new ApiError(401, "invalid_signature", "The webhook was signed for another fal account.");
    }
    if (body.request_id !== verified.requestId) {
      throw new ApiError(401, "invalid_signature", "The body is not for the signed request.");
    }

    const answer: ProviderAnswer = body.status === "OK" && !body.payload_error
      ? { ok: true, output: body.payload }
      : {
        ok: false,
        error: webhookError({
          error: body.status === "ERROR" ? body.error ?? undefined : undefined,
          payload: body.payload,
          payload_error: body.status === "OK" ? body.payload_error ?? undefined : undefined,
        }),
      };
    const started = performance.now();
    const outcome = await finisher.finish(body.request_id, answer);
    log(JSON.stringify({
      event: "fal_webhook",
      request_id: body.request_id,
      status: body.status,
      outcome,
      ms: Math.round(performance.now() - started),
    }));
    if (outcome === "unknown") {
      throw new ApiError(409, "unknown_request", "This request is not recorded yet; deliver it again later.");
    }
    return json({ outcome });
  }

  return serveJson(handle, { log });
}
