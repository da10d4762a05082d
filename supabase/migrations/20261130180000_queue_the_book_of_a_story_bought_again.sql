-- A story bought again after a cancelled order whose book had already been made got no book. The cancellation
-- leaves a completed print job as it is (its print pictures are kept), so internal.start_print_job handed that
-- job back, and the trigger that queues a book (generation_jobs_queue_book) fires only when a print job
-- completes, which this one had done before the new order existed. One function now queues the book of every
-- paid order of a story that has none, called by that trigger and by start_print_job for a completed job.

create function internal.queue_missing_books(p_story_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  bought record;
  queued integer := 0;
begin
  for bought in
    select o.id from public.orders o
     where o.story_id = p_story_id and o.status = 'paid' and o.book_path is null
       and not exists (select 1 from pgmq.q_book_tasks t where t.message ->> 'order_id' = o.id::text)
       for update of o
  loop
    perform pgmq.send('book_tasks', jsonb_build_object('order_id', bought.id));
    queued := queued + 1;
  end loop;
  if queued > 0 then
    perform internal.dispatch_delivery_tasks();
  end if;
  return queued;
end;
$$;
comment on function internal.queue_missing_books(uuid) is 'Queues the book of each paid order of the story that has no book and no book task waiting; returns how many. Once its print job has completed.';

create or replace function internal.queue_book_of_completed_print()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform internal.queue_missing_books(new.story_id);
  return null;
end;
$$;

create or replace function internal.start_print_job(p_story_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  story public.stories;
  job_id uuid;
  job_status public.job_status;
  page record;
begin
  select * into story from public.stories where id = p_story_id for update;
  if not found then
    raise exception 'story % does not exist', p_story_id using errcode = 'TC404';
  end if;
  select id, status into job_id, job_status from public.generation_jobs
   where story_id = p_story_id and kind = 'print' and status <> 'cancelled';
  if found then
    -- Bought once: a repeated purchase notice changes nothing. Bought again after a cancelled order whose
    -- book was already printed: the print pictures are still there, so only the new order's book is missing.
    if job_status = 'completed' then
      perform internal.queue_missing_books(p_story_id);
    end if;
    return job_id;
  end if;
  if exists (
    select 1 from public.story_pages where story_id = p_story_id and status in ('queued', 'generating')
  ) then
    raise exception 'the preview of story % is still being drawn', p_story_id
      using errcode = 'TC409', hint = 'call again once its preview job has finished';
  end if;
  if exists (select 1 from public.story_pages where story_id = p_story_id and status = 'flagged') then
    raise exception 'a page of story % is held for review', p_story_id
      using errcode = 'TC409', hint = 'release it (internal.release_flagged_page), then call again';
  end if;

  update public.stories
     set purchased_at = coalesce(purchased_at, now()), status = 'processing', updated_at = now()
   where id = p_story_id;
  -- Bought again after a cancelled order: the cancelled run gives way to a new one (one print job per story).
  delete from public.generation_jobs where story_id = p_story_id and kind = 'print' and status = 'cancelled';
  insert into public.generation_jobs (story_id, kind, status, total_pages, current_step)
  values (p_story_id, 'print', 'queued', 11, 'preparing the book for print')
  returning id into job_id;

  -- Every page, whatever its preview state: drawn pages are brought to print resolution, the others drawn.
  -- enqueue_page moves pending and failed pages only, so done (and flagged) pages are reset to pending first.
  for page in select id from public.story_pages where story_id = p_story_id order by page_number loop
    update public.story_pages set status = 'pending', attempts = 0, last_error = null where id = page.id;
    perform internal.enqueue_page(page.id, job_id);
  end loop;
  perform internal.dispatch_page_tasks();
  return job_id;
end;
$$;
comment on function internal.start_print_job(uuid) is 'Marks a story bought and queues every page at print resolution under its print job (idempotent); for a story whose print job has completed (bought again after a cancelled order), queues the new order''s book. For the purchase webhook: refuses (TC409) while the preview is being drawn or a page is held for review.';

revoke all on function internal.queue_missing_books(uuid) from public;
