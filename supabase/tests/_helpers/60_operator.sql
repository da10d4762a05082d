-- Test helpers: bought books carried through print, assembly and email, acting as the page-, book- and
-- email-workers do (postgres) through the pipeline's own functions; and the API roles' view of the operator
-- functions.

-- Draws every queued page of the story's print job at print resolution, as the page-worker stores a print
-- page (record_print_render, then complete_page, under one lease); fails loudly unless each completes.
create or replace function tests.draw_print_job(p_story_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  queued record;
  lease uuid;
begin
  for queued in
    select p.id, p.page_number from public.story_pages p join public.generation_jobs j on j.id = p.job_id
     where p.story_id = p_story_id and j.kind = 'print' and p.status = 'queued'
     order by p.page_number
  loop
    lease := tests.claim(p_story_id, queued.page_number);
    perform internal.record_print_render(
      queued.id, lease, p_story_id || '/' || queued.page_number || '/print-' || lease || '.jpg', 3075, 3075
    );
    if not tests.complete(p_story_id, queued.page_number, lease) then
      raise exception 'print page % of story % did not complete', queued.page_number, p_story_id;
    end if;
  end loop;
end;
$$;

create or replace function tests.order_id(p_order_number text, p_shop text default tests.shop())
returns uuid
language sql
stable
set search_path = ''
as $$
  select id from public.orders where shop_domain = p_shop and shopify_order_id = p_order_number
$$;

-- The order's newest book task still in the queue (null when there is none).
create or replace function tests.book_message_id(p_order_id uuid)
returns bigint
language sql
stable
set search_path = ''
as $$
  select max(msg_id) from pgmq.q_book_tasks where message ->> 'order_id' = p_order_id::text
$$;

-- The book-worker keeps the order's book under its newest task; returns complete_book's answer.
create or replace function tests.assemble_book(p_order_id uuid)
returns boolean
language sql
set search_path = ''
as $$
  select internal.complete_book(
    p_order_id, tests.book_message_id(p_order_id),
    (select user_id from public.orders where id = p_order_id) || '/' || p_order_id || '.pdf', 2400000, 14::smallint
  )
$$;

-- The book-worker gives up on the order's book on its last attempt.
create or replace function tests.fail_book(p_order_id uuid, p_error text default 'book_layout: the text does not fit page 4')
returns void
language sql
set search_path = ''
as $$
  select internal.fail_book(p_order_id, tests.book_message_id(p_order_id), p_error, true)
$$;

-- The order's newest email and the newest task of it still in the queue.
create or replace function tests.newest_email(p_order_id uuid)
returns table (email_id uuid, msg_id bigint)
language sql
stable
set search_path = ''
as $$
  select e.id, (select max(q.msg_id) from pgmq.q_email_tasks q where q.message ->> 'email_id' = e.id::text)
    from internal.email_outbox e
   where e.order_id = p_order_id
   order by e.send_number desc
   limit 1
$$;

-- The email-worker renders the order's newest email into the outbox and sends it; returns the email's id.
create or replace function tests.send_email(p_order_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  newest record;
begin
  select * into newest from tests.newest_email(p_order_id);
  perform internal.record_email_rendered(newest.email_id, 'buyer@example.com', 'Your book is ready',
                                         '<p>Your book is ready.</p>', 'Your book is ready.', 'outbox');
  perform internal.complete_email(newest.email_id, newest.msg_id, null);
  return newest.email_id;
end;
$$;

-- The email-worker gives up on the order's newest email (Resend refused it, not retryable); returns its id.
create or replace function tests.fail_email(
  p_order_id uuid,
  p_error text default 'rejected: Resend refused the email: validation_error (403)'
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  newest record;
begin
  select * into newest from tests.newest_email(p_order_id);
  perform internal.record_email_rendered(newest.email_id, 'buyer@example.com', 'Your book is ready',
                                         '<p>Your book is ready.</p>', 'Your book is ready.', 'resend');
  if internal.fail_email(newest.email_id, newest.msg_id, p_error, false) <> 'failed' then
    raise exception 'the email of order % did not fail', p_order_id;
  end if;
  return newest.email_id;
end;
$$;

-- Buys a drawn preview with the Shopify order number and prints it; returns the order's id. Its book task
-- is queued.
create or replace function tests.buy_and_print(p_story_id uuid, p_order_number text)
returns uuid
language plpgsql
set search_path = ''
as $$
begin
  if tests.pay(p_story_id::text, p_order_number) <> 'order_created' then
    raise exception 'order % did not buy story %', p_order_number, p_story_id;
  end if;
  perform tests.draw_print_job(p_story_id);
  return tests.order_id(p_order_number);
end;
$$;

-- Buys a drawn preview, prints it, assembles its book and sends its email; returns the order's id.
create or replace function tests.deliver(p_story_id uuid, p_order_number text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  bought uuid := tests.buy_and_print(p_story_id, p_order_number);
begin
  if not tests.assemble_book(bought) then
    raise exception 'the book of order % was not kept', p_order_number;
  end if;
  perform tests.send_email(bought);
  return bought;
end;
$$;

-- The error (its SQLSTATE) that each API role other than the service role meets running the statement:
-- anon, the story's owner, and another signed-in user. Null where the statement ran.
create or replace function tests.api_role_errors(p_statement text, p_owner uuid, p_other uuid)
returns table (caller text, error_code text)
language plpgsql
set search_path = ''
as $$
begin
  perform tests.authenticate_as_anon();
  caller := 'anon';
  error_code := tests.error_of(p_statement) ->> 'sqlstate';
  return next;
  perform tests.authenticate_as(p_owner);
  caller := 'owner';
  error_code := tests.error_of(p_statement) ->> 'sqlstate';
  return next;
  perform tests.authenticate_as(p_other);
  caller := 'other user';
  error_code := tests.error_of(p_statement) ->> 'sqlstate';
  return next;
  perform tests.clear_authentication();
end;
$$;

revoke all on function tests.draw_print_job(uuid), tests.order_id(text, text), tests.book_message_id(uuid),
  tests.assemble_book(uuid), tests.fail_book(uuid, text), tests.newest_email(uuid), tests.send_email(uuid),
  tests.fail_email(uuid, text), tests.buy_and_print(uuid, text), tests.deliver(uuid, text),
  tests.api_role_errors(text, uuid, uuid)
  from public;
