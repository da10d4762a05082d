/**
 * The page worker's database access, all through the pipeline's state machine in schema `internal`
 * (claim_page → complete_page | fail_page_attempt), as `postgres` (SUPABASE_DB_URL), the functions' owner.
 */
import type { Sql } from "../_shared/database.ts";
import type { Enums, Tables } from "../_shared/database.types.ts";
import type { FaceBox } from "../_shared/images/image_provider.ts";

export type ClaimOutcome = "claimed" | "busy" | "not_queued" | "missing" | "exhausted";
export type AttemptOutcome = "retrying" | "failed" | "stale";

export interface Claim {
  outcome: ClaimOutcome;
  /** Set when claimed: the token this attempt completes or fails the page with. */
  leaseToken: string | null;
  attempt: number | null;
}

/** Everything the worker needs to draw one page. */
export interface PageTask {
  pageId: string;
  storyId: string;
  userId: string;
  pageNumber: number;
  seed: number;
  themeId: string;
  style: Enums<"art_style">;
  child: Pick<Tables<"stories">, "child_name" | "child_age" | "pronouns">;
  /** Null when the photo was deleted (retention, erasure) after the story was created. */
  photo: { storagePath: string; faceBox: FaceBox } | null;
  /** The finished cover's hi-res object in the pages bucket: the character anchor for pages 1–10. */
  coverHiresPath: string | null;
}

export interface Completion {
  pageId: string;
  leaseToken: string;
  msgId: string;
  hiresPath: string;
  previewPath: string;
  provider: string;
  model: string;
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
}

export interface PageStore {
  claim(pageId: string, msgId: string): Promise<Claim>;
  load(pageId: string): Promise<PageTask | null>;
  /** False when the lease is no longer this attempt's: nothing was changed. */
  complete(completion: Completion): Promise<boolean>;
  failAttempt(attempt: FailedAttempt): Promise<AttemptOutcome>;
}

export function createPageStore(sql: Sql): PageStore {
  return {
    async claim(pageId, msgId) {
      const [row] = await sql<
        { outcome: ClaimOutcome; lease_token: string | null; attempt: number | null }[]
      >`
        select outcome, lease_token, attempt from internal.claim_page(${pageId}::uuid, ${msgId}::bigint)`;
      return { outcome: row.outcome, leaseToken: row.lease_token, attempt: row.attempt };
    },

    async load(pageId) {
      const [row] = await sql<{
        story_id: string;
        user_id: string;
        page_number: number;
        seed: number;
        theme_id: string;
        style: Enums<"art_style">;
        child_name: string;
        child_age: number;
        pronouns: Enums<"pronouns">;
        photo_path: string | null;
        face_box: FaceBox | null;
        cover_hires_path: string | null;
      }[]>`
        select p.story_id, s.user_id, p.page_number, p.seed::integer as seed, s.theme_id, s.style,
               s.child_name, s.child_age, s.pronouns, ph.storage_path as photo_path, ph.face_box,
               (select r.hires_path
                  from public.story_pages cover
                  join internal.page_renders r on r.page_id = cover.id
                 where cover.story_id = p.story_id and cover.page_number = 0 and cover.status = 'done'
               ) as cover_hires_path
          from public.story_pages p
          join public.stories s on s.id = p.story_id
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
        child: { child_name: row.child_name, child_age: row.child_age, pronouns: row.pronouns },
        photo: row.photo_path && row.face_box ? { storagePath: row.photo_path, faceBox: row.face_box } : null,
        coverHiresPath: row.cover_hires_path,
      };
    },

    async complete(completion) {
      const [{ completed }] = await sql<{ completed: boolean }[]>`
        select internal.complete_page(
          ${completion.pageId}::uuid, ${completion.leaseToken}::uuid, ${completion.msgId}::bigint,
          ${completion.hiresPath}, ${completion.previewPath}, ${completion.provider}, ${completion.model}
        ) as completed`;
      return completed;
    },

    async failAttempt(attempt) {
      const [{ outcome }] = await sql<{ outcome: AttemptOutcome }[]>`
        select internal.fail_page_attempt(
          ${attempt.pageId}::uuid, ${attempt.leaseToken}::uuid, ${attempt.msgId}::bigint, ${attempt.code},
          ${attempt.detail}, ${attempt.retryable}, ${attempt.retryAfterSeconds}::integer
        ) as outcome`;
      return outcome;
    },
  };
}
