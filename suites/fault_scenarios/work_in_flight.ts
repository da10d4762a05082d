/** What the platform was working on when a blow fell, so that each row of the report can say what it cut off. */
import type postgres from "postgres";
import { type Stage, STAGES } from "./books.ts";

export type WorkInFlight = Record<Stage, number>;

/**
 * What the platform process started at `since` was working on: page attempts claimed since then and still
 * generating, book and email tasks handed out since then and not finished, and orders/paid requests awaiting
 * their answer. Attempts of an earlier, killed process look the same in the database until their leases pass,
 * so they are left out.
 */
export async function workInFlight(
  admin: postgres.Sql,
  since: Date,
  webhooks: number,
): Promise<WorkInFlight> {
  const [row] = await admin<{ preview: number; print: number; books: number; emails: number }[]>`
    select
      (select count(*)::int from public.story_pages p join public.generation_jobs j on j.id = p.job_id
        where p.status = 'generating' and j.kind = 'preview' and p.started_at >= ${since}) as preview,
      (select count(*)::int from public.story_pages p join public.generation_jobs j on j.id = p.job_id
        where p.status = 'generating' and j.kind = 'print' and p.started_at >= ${since}) as print,
      (select count(*)::int from pgmq.q_book_tasks, internal.delivery_settings d
        where read_ct > 0 and vt > now()
          and vt - pg_catalog.make_interval(secs => d.book_timeout_seconds) >= ${since}) as books,
      (select count(*)::int from pgmq.q_email_tasks, internal.delivery_settings d
        where read_ct > 0 and vt > now()
          and vt - pg_catalog.make_interval(secs => d.email_timeout_seconds) >= ${since}) as emails`;
  return {
    "preview page": row.preview,
    "orders/paid": webhooks,
    "print page": row.print,
    "book assembly": row.books,
    "email": row.emails,
  };
}

export function describeWork(work: WorkInFlight): string {
  const busy = STAGES.filter((stage) => work[stage] > 0).map((stage) => `${work[stage]} × ${stage}`);
  return busy.length > 0 ? busy.join(", ") : "nothing in flight";
}
