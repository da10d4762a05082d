/**
 * The previews function's database access. Reads run as the signed-in user, so row level security decides what
 * exists for them (another user's preview is simply not found). Writes go through the pipeline's functions in
 * schema `internal`, which only their owner, `postgres` (the SUPABASE_DB_URL connection), may call.
 */
import type { UserClaims } from "../_shared/auth.ts";
import { asUser, type DbRow, type Sql } from "../_shared/database.ts";
import type { Enums, Tables } from "../_shared/database.types.ts";

export interface NewPreview {
  userId: string;
  photoId: string;
  themeId: string;
  style: Enums<"art_style">;
  childName: string;
  childAge: number;
  pronouns: Enums<"pronouns">;
  dedication: string | null;
  title: string;
  pages: { page_number: number; body_text: string }[];
}

export type StoryRow = DbRow<
  Pick<
    Tables<"stories">,
    "id" | "title" | "theme_id" | "style" | "status" | "dedication" | "expires_at" | "purchased_at"
  >
>;
export type PageRow = DbRow<
  Pick<
    Tables<"story_pages">,
    "page_number" | "body_text" | "is_locked" | "status" | "preview_path" | "illustrated_by"
  >
>;
export type JobRow = DbRow<
  Pick<
    Tables<"generation_jobs">,
    "id" | "status" | "current_step" | "pages_completed" | "total_pages" | "error" | "started_at"
  >
>;
export type JobPageRow = DbRow<Pick<Tables<"story_pages">, "page_number" | "status" | "started_at">>;

export interface PreviewRecord {
  story: StoryRow;
  pages: PageRow[];
}

export interface PreviewProgress {
  job: JobRow;
  /** The pages of that job: the same rows the Realtime progress events are sent from. */
  pages: JobPageRow[];
}

export type RetryOutcome =
  | { kind: "not_found" }
  | { kind: "requeued"; pages: number }
  | { kind: "retry_limit_reached" };

export interface PreviewStore {
  /** Creates the story and queues its cover. Raises TC404 (hint photo|theme) or TC429 from the database. */
  create(preview: NewPreview): Promise<{ previewId: string; jobId: string }>;
  find(claims: UserClaims, previewId: string): Promise<PreviewRecord | null>;
  /** The story's latest generation job (the preview's, or after purchase the print job). */
  progress(claims: UserClaims, previewId: string): Promise<PreviewProgress | null>;
  retry(claims: UserClaims, previewId: string): Promise<RetryOutcome>;
}

/** `internal.retry_story` raises TC429 with hint `retries` when the story has no retries left. */
function isRetryLimit(error: unknown): boolean {
  const { code, hint } = error as { code?: unknown; hint?: unknown };
  return code === "TC429" && hint === "retries";
}

/** `sql` connects as `postgres` (SUPABASE_DB_URL); user reads switch to `authenticated` inside a transaction. */
export function createPreviewStore(sql: Sql): PreviewStore {
  return {
    async create(preview) {
      const [row] = await sql<{ story_id: string; job_id: string }[]>`
        select story_id, job_id from internal.create_preview(
          ${preview.userId}::uuid, ${preview.photoId}::uuid, ${preview.themeId},
          ${preview.style}::public.art_style, ${preview.childName}, ${preview.childAge}::smallint,
          ${preview.pronouns}::public.pronouns, ${preview.dedication}, ${preview.title},
          ${sql.json(preview.pages)}::jsonb)`;
      return { previewId: row.story_id, jobId: row.job_id };
    },

    async find(claims, previewId) {
      return await asUser(sql, claims, async (tx) => {
        const [story] = await tx<StoryRow[]>`
          select id, title, theme_id, style, status, dedication, expires_at, purchased_at
            from public.stories where id = ${previewId}::uuid`;
        if (!story) return null;
        const pages = await tx<PageRow[]>`
          select page_number, body_text, is_locked, status, preview_path, illustrated_by
            from public.story_pages where story_id = ${previewId}::uuid order by page_number`;
        return { story, pages };
      });
    },

    async progress(claims, previewId) {
      return await asUser(sql, claims, async (tx) => {
        const [job] = await tx<JobRow[]>`
          select id, status, current_step, pages_completed, total_pages, error, started_at
            from public.generation_jobs where story_id = ${previewId}::uuid
           order by created_at desc limit 1`;
        if (!job) return null;
        const pages = await tx<JobPageRow[]>`
          select page_number, status, started_at from public.story_pages
           where job_id = ${job.id}::uuid order by page_number`;
        return { job, pages };
      });
    },

    async retry(claims, previewId) {
      const visible = await asUser(
        sql,
        claims,
        (tx) => tx`select 1 from public.stories where id = ${previewId}::uuid`,
      );
      if (visible.length === 0) return { kind: "not_found" };
      try {
        const [{ requeued }] = await sql<{ requeued: number }[]>`
          select internal.retry_story(${previewId}::uuid) as requeued`;
        return { kind: "requeued", pages: requeued };
      } catch (error) {
        // retry_story raises TC429 for two reasons: the owner's active-generation limit (left to the shared
        // mapping: 429 with Retry-After) and a story that has used its retries, which waiting would not change.
        if (isRetryLimit(error)) return { kind: "retry_limit_reached" };
        throw error;
      }
    },
  };
}
