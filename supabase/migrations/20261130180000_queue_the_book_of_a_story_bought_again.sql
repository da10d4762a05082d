-- A story bought again after a cancelled order whose book had already been made got no book. The cancellation
-- leaves a completed print job as it is (its print pictures are kept), so internal.start_print_job hands that
-- job back, and the trigger that queues a book (generation_jobs_queue_book) fires only when a print job
-- completes, which this one had done before the new order existed. A book is now queued on either event: the
-- print job completing for a paid order, or a paid order arriving for a story whose print job has completed.
-- Both go through one function.

create function internal.queue_book_of_printed_story()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.generation_jobs j
     where j.story_id = new.story_id and j.kind = 'print' and j.status = 'completed'
  ) then
    perform internal.queue_missing_books(new.story_id);
  end if;
  return null;
end;
$$;

create trigger orders_queue_book_of_printed_story
  after insert on public.orders
  for each row
  when (new.status = 'paid' and new.story_id is not null)
  execute function internal.queue_book_of_printed_story();

revoke all on function internal.queue_missing_books(uuid) from public;
revoke all on function internal.queue_book_of_printed_story() from public;
