/**
 * The page pipeline's database access, all through its state machine in schema `internal`
 * (claim_page → complete_page | fail_page_attempt, and the provider calls a page waits on), as `postgres`
 * (SUPABASE_DB_URL), the functions' owner. Used by the page worker, the fal webhook and the sweep.
 */
import type { Sql, TransactionSql } from "./database.ts";
import type { Enums, Tables } from "./database.types.ts";
import type { FaceBox, ProviderCallStage } from "./images/image_provider.ts";
import type { StoredObject } from "./storage.ts";

export type ClaimOutcome = "claimed" | "busy" | "not_queued" | "missing" | "exhausted";
export type AttemptOutcome = "retrying" | "failed" | "flagged" | "stale";

export interface Claim {
  outcome: ClaimOutcome;
  /** Set when claimed: the token this attempt completes or fails the page with. */
  leaseToken: string | null;
  attempt: number | null;
  /** What the dead attempt this claim took over had uploaded, which the page does not use: to be removed. */
  abandonedObjects: StoredObject[];
}

/** Everything needed to draw one page, or to store what a provider drew for it. */
export interface PageTask {
  pageId: string;
  storyId: string;
  userId: string;
  pageNumber: number;
  seed: number;
  themeId: string;
  style: Enums<"art_style">;
  /** The job the page is queued under: the free preview, or the bought book's print run. */
  jobKind: Enums<"job_kind">;
  isLocked: boolean;
  child: Pick<Tables<"stories">, "child_name" | "child_age" | "pronouns">;
  /** Null when the photo was deleted (retention, erasure) after the story was created. */
  photo: { storagePath: string; faceBox: FaceBox } | null;
  /** The finished cover's preview-size render in the pages bucket: the character anchor for pages 1–10. */
  coverHiresPath: string | null;
  /** This page's own preview-size render and watermarked preview, once drawn. */
  hiresPath: string | null;
  previewPath: string | null;
  /** Refusals on content grounds so far: after one, the page is drawn with a softened prompt. */
  contentRefusals: number;
}

/** A queued provider call closed in the transaction that completes or fails its page. */
export interface CallClosing {
  callId: string;
  width?: number;
  height?: number;
  costUsd?: number;
  inferenceMs?: number | null;
  errorCode?: string;
}

export interface Completion {
  pageId: string;
  leaseToken: string;
  msgId: string;
  /** The preview-size render (the anchor for later pages); null for a page drawn straight at print size. */
  hiresPath: string | null;
  previewPath: string | null;
  provider: string;
  model: string;
  /** The print-resolution image of a bought book's page. */
  print?: { path: string; width: number; height: number };
  call?: CallClosing;
}

export interface FailedAttempt {
  pageId: string;
  leaseToken: string;
  msgId: string;
  code: string;
  /** Stored as the page's last error, which the owner can read: no internals. */
  detail: string;
  retryable: boolean;
  retryAfterSeconds: number | null;
  call?: CallClosing;
}

/** A synchronous provider call (the in-house illustrator), recorded for latency and cost reports. */
export interface FinishedCall {
  pageId: string;
  stage: ProviderCallStage;
  provider: string;
  model: string;
  resolution: string;
  latencyMs: number;
  width: number;
  height: number;
  costUsd: number;
}

/** A request submitted to a provider's queue for the attempt holding the page's lease. */
export interface Submission {
  pageId: string;
  leaseToken: string;
  msgId: string;
  stage: ProviderCallStage;
  provider: string;
  model: string;
  resolution: string;
  requestId: string;
  statusUrl: string;
  responseUrl: string;
  cancelUrl: string;
  /** Preview-size images of a page drawn for print in two stages, carried to its upscale. */
  carriedHiresPath?: string | null;
  carriedPreviewPath?: string | null;
  /** The first stage's call, closed in the transaction that records its upscale. */
  closes?: CallClosing;
}

/** A queued call as its finisher (webhook or sweep) sees it. */
export interface QueuedCall {
  callId: string;
  pageId: string;
  stage: ProviderCallStage;
  provider: string;
  model: string;
  resolution: string | null;
  leaseToken: string;
  msgId: string;
  carriedHiresPath: string | null;
  carriedPreviewPath: string | null;
}

/** begun: this finisher stores the result; busy: another is storing it; finished: a duplicate; unknown. */
export type FinishingOutcome =
  | { outcome: "begun" | "busy" | "finished"; call: QueuedCall }
  | { outcome: "unknown"; call: null };

/** A late request the sweep asks the provider about. */
export interface LateCall {
  requestId: string;
  statusUrl: string;
  responseUrl: string;
  cancelUrl: string;
  /** Unanswered for too long: cancelled, and its page retried. */
  overdue: boolean;
}

export interface PageStore {
  claim(pageId: string, msgId: string): Promise<Claim>;
  load(pageId: string): Promise<PageTask | null>;
  /** False when the lease is no longer this attempt's: nothing was changed (the call is still closed). */
  complete(completion: Completion): Promise<boolean>;
  failAttempt(attempt: FailedAttempt): Promise<AttemptOutcome>;
  recordFinishedCall(call: FinishedCall): Promise<void>;
  /** False when the lease is stale: the caller cancels the request it submitted. */
  recordSubmission(submission: Submission): Promise<boolean>;
  beginFinishing(requestId: string): Promise<FinishingOutcome>;
  /** Closes a call that neither completes nor fails its page (a stale result, a first stage). */
  closeCall(status: "completed" | "failed" | "cancelled", closing: CallClosing): Promise<void>;
  /** Late requests, marked as checked so overlapping sweeps ask about different ones. */
  lateCalls(limit: number): Promise<LateCall[]>;
}

interface QueuedCallRow {
  call_id: string;
  page_id: string;
  stage: ProviderCallStage;
  provider: string;
  model: string;
  resolution: string | null;
  lease_token: string;
  msg_id: string;
  carried_hires_path: string | null;
  carried_preview_path: string | null;
}

function queuedCall(row: QueuedCallRow): QueuedCall {
  return {
    callId: row.call_id,
    pageId: row.page_id,
    stage: row.stage,
    provider: row.provider,
    model: row.model,
    resolution: row.resolution,
    leaseToken: row.lease_token,
    msgId: String(row.msg_id),
    carriedHiresPath: row.carried_hires_path,
    carriedPreviewPath: row.carried_preview_path,
  };
}

export function createPageStore(sql: Sql): PageStore {
  async function closeCall(tx: Sql | TransactionSql, status: string, closing: CallClosing): Promise<void> {
    await tx`
      select internal.finish_provider_call(
        ${closing.callId}::uuid, ${status}::internal.provider_call_status, ${closing.errorCode ?? null},
        ${closing.width ?? null}::integer, ${closing.height ?? null}::integer, ${
      closing.costUsd ?? 0
    }::numeric,
        ${closing.inferenceMs ?? null}::integer
      )`;
  }

  return {
    async claim(pageId, msgId) {
      const [row] = await sql<
        {
          outcome: ClaimOutcome;
          lease_token: string | null;
          attempt: number | null;
          abandoned_lease: string | null;
        }[]
      >`
        select outcome, lease_token, attempt, abandoned_lease
          from internal.claim_page(${pageId}::uuid, ${msgId}::bigint)`;
      const abandoned = row.abandoned_lease === null ? [] : await sql<{ bucket_id: string; name: string }[]>`
        select bucket_id, name from internal.abandoned_page_objects(${pageId}::uuid, ${row.abandoned_lease}::uuid)`;
      return {
        outcome: row.outcome,
        leaseToken: row.lease_token,
        attempt: row.attempt,
        abandonedObjects: abandoned.map((object) => ({ bucket: object.bucket_id, path: object.name })),
      };
    },

    async load(pageId) {
      const [row] = await sql<{
        story_id: string;
        user_id: string;
        page_number: number;
        seed: number;
        theme_id: string;
        style: Enums<"art_style">;
        job_kind: Enums<"job_kind"> | null;
        is_locked: boolean;
        child_name: string;
        child_age: number;
        pronouns: Enums<"pronouns">;
        photo_path: string | null;
        face_box: FaceBox | null;
        cover_hires_path: string | null;
        hires_path: string | null;
        preview_path: string | null;
        content_refusals: number | null;
      }[]>`
        select p.story_id, s.user_id, p.page_number, p.seed::integer as seed, s.theme_id, s.style,
               j.kind as job_kind, p.is_locked, s.child_name, s.child_age, s.pronouns,
               ph.storage_path as photo_path, ph.face_box, r.hires_path, p.preview_path, r.content_refusals,
               -- The cover's render is the anchor as soon as it exists, also while a print run upscales it.
               (select cr.hires_path
                  from public.story_pages cover
                  join internal.page_renders cr on cr.page_id = cover.id
                 where cover.story_id = p.story_id and cover.page_number = 0 and cr.hires_path is not null
               ) as cover_hires_path
          from public.story_pages p
          join public.stories s on s.id = p.story_id
          left join public.generation_jobs j on j.id = p.job_id
          left join internal.page_renders r on r.page_id = p.id
          left join public.photos ph on ph.id = s.photo_id
         where p.id = ${pageId}::uuid`;
      if (!row) return null;
      return {
        pageId,
        storyId: row.story_id,
        userId: row.user_id,
        pageNumber: row.page_number,
        seed: row.seed,
        themeId: row.theme_id,
        style: row.style,
        jobKind: row.job_kind ?? "preview",
        isLocked: row.is_locked,
        child: { child_name: row.child_name, child_age: row.child_age, pronouns: row.pronouns },
        photo: row.photo_path && row.face_box ? { storagePath: row.photo_path, faceBox: row.face_box } : null,
        coverHiresPath: row.cover_hires_path,
        hiresPath: row.hires_path,
        previewPath: row.preview_path,
        contentRefusals: row.content_refusals ?? 0,
      };
    },

    async complete(completion) {
      return await sql.begin(async (tx) => {
        if (completion.call) await closeCall(tx, "completed", completion.call);
        if (completion.print) {
          const [{ recorded }] = await tx<{ recorded: boolean }[]>`
            select internal.record_print_render(
              ${completion.pageId}::uuid, ${completion.leaseToken}::uuid, ${completion.print.path},
              ${completion.print.width}::integer, ${completion.print.height}::integer
            ) as recorded`;
          if (!recorded) return false;
        }
        const [{ completed }] = await tx<{ completed: boolean }[]>`
          select internal.complete_page(
            ${completion.pageId}::uuid, ${completion.leaseToken}::uuid, ${completion.msgId}::bigint,
            ${completion.hiresPath}, ${completion.previewPath}, ${completion.provider}, ${completion.model}
          ) as completed`;
        return completed;
      });
    },

    async failAttempt(attempt) {
      return await sql.begin(async (tx) => {
        if (attempt.call) await closeCall(tx, "failed", { ...attempt.call, errorCode: attempt.code });
        const [{ outcome }] = await tx<{ outcome: AttemptOutcome }[]>`
          select internal.fail_page_attempt(
            ${attempt.pageId}::uuid, ${attempt.leaseToken}::uuid, ${attempt.msgId}::bigint, ${attempt.code},
            ${attempt.detail}, ${attempt.retryable}, ${attempt.retryAfterSeconds}::integer
          ) as outcome`;
        return outcome;
      });
    },

    async recordFinishedCall(call) {
      await sql`
        select internal.record_finished_call(
          ${call.pageId}::uuid, ${call.stage}, ${call.provider}, ${call.model}, ${call.resolution},
          ${Math.round(call.latencyMs)}::integer, ${call.width}::integer, ${call.height}::integer,
          ${call.costUsd}::numeric
        )`;
    },

    async recordSubmission(submission) {
      return await sql.begin(async (tx) => {
        if (submission.closes) await closeCall(tx, "completed", submission.closes);
        const [{ recorded }] = await tx<{ recorded: boolean }[]>`
        select internal.record_provider_submission(
          ${submission.pageId}::uuid, ${submission.leaseToken}::uuid, ${submission.msgId}::bigint,
          ${submission.stage}, ${submission.provider}, ${submission.model}, ${submission.resolution},
          ${submission.requestId}, ${submission.statusUrl}, ${submission.responseUrl}, ${submission.cancelUrl},
          ${submission.carriedHiresPath ?? null}, ${submission.carriedPreviewPath ?? null}
        ) as recorded`;
        return recorded;
      });
    },

    async beginFinishing(requestId) {
      const [row] = await sql<(QueuedCallRow & { outcome: FinishingOutcome["outcome"] })[]>`
        select * from internal.begin_finishing_call(${requestId})`;
      if (row.outcome === "unknown") return { outcome: "unknown", call: null };
      return { outcome: row.outcome, call: queuedCall(row) };
    },

    async closeCall(status, closing) {
      await closeCall(sql, status, closing);
    },

    async lateCalls(limit) {
      const rows = await sql<{
        request_id: string;
        status_url: string;
        response_url: string;
        cancel_url: string;
        overdue: boolean;
      }[]>`select * from internal.provider_calls_to_check(${limit}::integer)`;
      return rows.map((row) => ({
        requestId: row.request_id,
        statusUrl: row.status_url,
        responseUrl: row.response_url,
        cancelUrl: row.cancel_url,
        overdue: row.overdue,
      }));
    },
  };
}
