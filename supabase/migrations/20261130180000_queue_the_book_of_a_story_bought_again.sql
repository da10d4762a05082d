-- A story bought again after a cancelled order whose book had already been made got no book. The cancellation
-- leaves a completed print job as it is (its print pictures are kept), so internal.start_print_job hands that
-- job back, and the trigger that queues a book (generation_jobs_queue_book) fires only when a print job
-- completes, which this one had done before the new order existed. A book is now queued on either event: the
-- print job completing for a paid order, or a paid order arriving for a story whose print job has completed.
-- Both go through one function.

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
