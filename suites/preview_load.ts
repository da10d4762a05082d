/**
 * What the preview benchmark (bench/preview_bench.ts) and the load suite (suites/load_suite.ts) share: parents
 * arranged before the clock starts, their requests to the previews function timed as a frontend makes them, the
 * pipeline's own timestamps, the ideal time of a batch of previews, and the checks that nothing was lost.
 */
import type postgres from "postgres";
import type { TestPlatform } from "../platform/tests/support/test_platform.ts";
import { signInAnonymously, storePhoto } from "../tests/support/preview_fixtures.ts";

/** Pages drawn for one preview: the cover, then pages 1–5. */
export const PREVIEW_PAGES = 6;

/** A signed-in parent with a stored photo. */
export interface Parent {
  id: string;
  accessToken: string;
  photoId: string;
}

/** `count` parents, each signed in anonymously with a photo stored, `batch` at a time (arranging, not timed). */
export async function prepareParents(platform: TestPlatform, count: number, batch = 8): Promise<Parent[]> {
  const parents: Parent[] = [];
  for (let start = 0; start < count; start += batch) {
    parents.push(
      ...await Promise.all(
        Array.from({ length: Math.min(batch, count - start) }, async () => {
          const parent = await signInAnonymously(platform);
          return { ...parent, photoId: await storePhoto(platform, parent.id) };
        }),
      ),
    );
  }
  return parents;
}

/** One answer of the previews function, timed at the client from sending to the end of the body. */
export interface TimedAnswer<T> {
  status: number;
  ms: number;
  body: T;
}

async function callPreviews<T>(
  platform: TestPlatform,
  parent: Parent,
  path: string,
  init: RequestInit = {},
): Promise<TimedAnswer<T>> {
  const started = performance.now();
  const response = await fetch(`${platform.url}/functions/v1/previews${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${parent.accessToken}`,
      apikey: platform.anonKey,
      "content-type": "application/json",
    },
  });
  const body = await response.json() as T;
  return { status: response.status, ms: performance.now() - started, body };
}

/** POST previews for the parent's photo (Mia, 6, the magic castle, cartoon 3D). */
export async function postPreview(
  platform: TestPlatform,
  parent: Parent,
): Promise<TimedAnswer<{ preview_id?: string }>> {
  return await callPreviews(platform, parent, "", {
    method: "POST",
    body: JSON.stringify({
      photo_id: parent.photoId,
      child_name: "Mia",
      child_age: 6,
      pronouns: "she",
      theme: "magic_castle",
      style: "cartoon_3d",
    }),
  });
}

/** GET previews/{id}/status, as a frontend polls it. */
export async function getPreviewStatus(
  platform: TestPlatform,
  parent: Parent,
  previewId: string,
): Promise<TimedAnswer<{ status?: string }>> {
  return await callPreviews(platform, parent, `/${previewId}/status`);
}

/** POST previews that must be accepted: the preview's id. */
export async function createPreview(platform: TestPlatform, parent: Parent): Promise<string> {
  const answer = await postPreview(platform, parent);
  if (answer.status !== 202 || !answer.body.preview_id) {
    throw new Error(`POST previews answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body.preview_id;
}

/** Waits, reading the database, until every story has completed or failed. */
export async function waitForStories(
  admin: postgres.Sql,
  storyIds: string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [{ open }] = await admin<{ open: number }[]>`
      select count(*)::int as open from public.stories
       where id = any(${storyIds}::uuid[]) and status not in ('completed', 'failed')`;
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`previews still unfinished after ${timeoutMs} ms`);
}

export interface StoryTiming {
  story_id: string;
  status: string;
  created: Date;
  completed: Date | null;
}

/** The pipeline's own timestamps of a batch of previews (story created → job completed, page queued → claimed). */
export interface BatchTimings {
  stories: StoryTiming[];
  /** Page queued → claimed by a worker, ms: includes waiting for a free slot. */
  waits: number[];
  /** Page claimed → completed, ms: the provider's latency and our own work around it. */
  services: number[];
  /** Provider attempts our pages table counts (its own counter, not the provider's). */
  attempts: number;
  /** Preview pages (cover and 1–5) done. */
  drawn: number;
}

export async function batchTimings(admin: postgres.Sql, storyIds: string[]): Promise<BatchTimings> {
  const stories = await admin<StoryTiming[]>`
    select s.id as story_id, s.status::text as status, s.created_at as created, j.completed_at as completed
      from public.stories s join public.generation_jobs j on j.story_id = s.id and j.kind = 'preview'
     where s.id = any(${storyIds}::uuid[])`;
  const pages = await admin<{ wait_ms: number; service_ms: number | null }[]>`
    select extract(epoch from (started_at - queued_at)) * 1000 as wait_ms,
           extract(epoch from (completed_at - started_at)) * 1000 as service_ms
      from public.story_pages
     where story_id = any(${storyIds}::uuid[]) and started_at is not null`;
  const [{ attempts, drawn }] = await admin<{ attempts: number; drawn: number }[]>`
    select coalesce(sum(attempts), 0)::int as attempts, count(*) filter (where status = 'done')::int as drawn
      from public.story_pages where story_id = any(${storyIds}::uuid[]) and page_number < ${PREVIEW_PAGES}`;
  return {
    stories,
    waits: pages.map((page) => Number(page.wait_ms)),
    services: pages.filter((page) => page.service_ms !== null).map((page) => Number(page.service_ms)),
    attempts,
    drawn,
  };
}

/** First story created → last job completed, ms (to now for a story still unfinished). */
export function batchSpanMs(stories: StoryTiming[]): number {
  const first = Math.min(...stories.map((story) => story.created.getTime()));
  const last = Math.max(...stories.map((story) => story.completed?.getTime() ?? Date.now()));
  return last - first;
}

/**
 * The shortest possible time for `previews` previews when each image takes `latencyMs` and at most
 * `concurrency` are drawn at once: the cover and then the pages (2·L) for one preview, else every image back to
 * back in every slot (6·N·L / C).
 */
export function idealMs(previews: number, latencyMs: number, concurrency: number): number {
  return Math.max(2 * latencyMs, (PREVIEW_PAGES * previews * latencyMs) / concurrency);
}

/** What the database and Storage hold for a batch of previews once it has finished. */
export interface BatchOutcome {
  storiesCompleted: number;
  pagesDone: number;
  /** Objects in the pages bucket (the full-size renders) under the batch's stories. */
  pageObjects: number;
  /** Objects in the previews bucket (the watermarked previews) under the batch's stories. */
  previewObjects: number;
  /** Pages with other than exactly one object in each bucket: a duplicate or a missing one. */
  pagesWithoutOneObjectEach: number;
  /** Stored objects no page points at (pages.preview_path, page_renders.hires_path). */
  unreferencedObjects: number;
  /** Messages left in the page queue, visible or not. */
  queuedTasks: number;
  /** Page tasks archived: pages that failed after their last attempt. */
  archivedTasks: number;
  /** Provider calls not finished (submitted or finishing). */
  openProviderCalls: number;
}

export async function batchOutcome(admin: postgres.Sql, storyIds: string[]): Promise<BatchOutcome> {
  const [row] = await admin<BatchOutcome[]>`
    with pages as (
      select p.id, p.story_id, p.page_number, p.status, p.preview_path, r.hires_path
        from public.story_pages p join internal.page_renders r on r.page_id = p.id
       where p.story_id = any(${storyIds}::uuid[]) and p.page_number < ${PREVIEW_PAGES}
    ),
    objects as (
      select o.bucket_id, o.name,
             (case when o.bucket_id = 'pages' then split_part(o.name, '/', 1)
                   else split_part(o.name, '/', 2) end)::uuid as story_id,
             (case when o.bucket_id = 'pages' then split_part(o.name, '/', 2)
                   else split_part(split_part(o.name, '/', 3), '-', 1) end)::int as page_number
        from storage.objects o
       where o.bucket_id in ('pages', 'previews')
         and (case when o.bucket_id = 'pages' then split_part(o.name, '/', 1)
                   else split_part(o.name, '/', 2) end) = any(${storyIds}::text[])
    ),
    per_page as (
      select p.id,
             (select count(*) from objects o
               where o.bucket_id = 'pages' and o.story_id = p.story_id and o.page_number = p.page_number) as renders,
             (select count(*) from objects o
               where o.bucket_id = 'previews' and o.story_id = p.story_id and o.page_number = p.page_number)
               as previews
        from pages p
    )
    select
      (select count(*)::int from public.stories where id = any(${storyIds}::uuid[]) and status = 'completed')
        as "storiesCompleted",
      (select count(*)::int from pages where status = 'done') as "pagesDone",
      (select count(*)::int from objects where bucket_id = 'pages') as "pageObjects",
      (select count(*)::int from objects where bucket_id = 'previews') as "previewObjects",
      (select count(*)::int from per_page where renders <> 1 or previews <> 1) as "pagesWithoutOneObjectEach",
      (select count(*)::int from objects o
        where not exists (select 1 from pages p where o.name in (p.preview_path, p.hires_path)))
        as "unreferencedObjects",
      (select count(*)::int from pgmq.q_page_tasks) as "queuedTasks",
      (select count(*)::int from pgmq.a_page_tasks) as "archivedTasks",
      (select count(*)::int from internal.provider_calls
        where story_id = any(${storyIds}::uuid[]) and status in ('submitted', 'finishing')) as "openProviderCalls"`;
  return row;
}
