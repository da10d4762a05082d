-- Regenerating a page of a delivered book carries it through the whole pipeline again, by itself: the page is
-- drawn anew at preview size under the preview job (a new watermarked preview), then brought to print
-- resolution under the print job; when the print job completes, the order's book is forgotten (its link then
-- answers 409 book_not_ready, not 410) and its assembly queued; the new book is kept with a new download
-- period and emailed again under a key of its own. Anon, the owner and another user cannot regenerate a page.
begin;
select plan(9);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('order', tests.deliver(tests.id('story'), '1001'));
select tests.remember('page', tests.page_id(tests.id('story'), 7));
select tests.remember('print_job', tests.print_job_id(tests.id('story')));
-- The book was made a while ago.
update public.orders set book_ready_at = now() - interval '3 days', download_expires_at = now() + interval '27 days';

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.regenerate_page(%L, %L)', tests.id('page'), 'ticket 12'),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the owner and another user cannot regenerate a page'
);

select tests.authenticate_as_service();
select is(
  ops.regenerate_page(tests.id('page'), 'ticket 12: page 7 is too dark') - 'story_id' - 'page_id',
  jsonb_build_object('page_number', 7, 'order_id', tests.id('order'), 'book_made_again', true,
                     'regenerations_used', 1, 'regenerations_allowed', 3),
  'the service role regenerates page 7 of the delivered book'
);
select tests.clear_authentication();

select results_eq(
  $$select status::text, job_id from public.story_pages where id = tests.id('page')$$,
  $$values ('queued', tests.job_id(tests.id('story')))$$,
  'the page is drawn again at preview size first, under the preview job'
);
select results_eq(
  $$select o.book_path is not null, j.status::text from public.orders o, public.generation_jobs j
     where o.id = tests.id('order') and j.id = tests.id('print_job')$$,
  $$values (true, 'completed')$$,
  'meanwhile the book is still there and the print job untouched'
);

select tests.draw_page(tests.id('story'), 7);
select results_eq(
  $$select p.status::text, p.job_id, j.status::text, j.pages_completed::int
      from public.story_pages p join public.generation_jobs j on j.id = tests.id('print_job')
     where p.id = tests.id('page')$$,
  $$values ('queued', tests.id('print_job'), 'processing', 10)$$,
  'once drawn, it is queued for print under the print job, which waits for it'
);

select tests.draw_print_job(tests.id('story'));
select results_eq(
  $$select book_path, book_ready_at, download_expires_at > now()
      from public.orders where id = tests.id('order')$$,
  $$values (null::text, null::timestamptz, true)$$,
  'once printed, the old book is forgotten (its link answers 409 book_not_ready until the new one is kept)'
);
select is(
  (select count(*) from pgmq.q_book_tasks where message ->> 'order_id' = tests.id('order')::text), 1::bigint,
  'and one assembly is queued'
);

select tests.assemble_book(tests.id('order'));
select results_eq(
  $$select book_path is not null, book_ready_at, download_expires_at
      from public.orders where id = tests.id('order')$$,
  $$values (true, now(), now() + interval '30 days')$$,
  'the new book is kept, with a new download period'
);
select results_eq(
  $$select send_number::int, idempotency_key, status from internal.email_outbox order by send_number$$,
  $$values (0, 'book-ready/' || tests.id('order'), 'sent'),
           (1, 'book-ready/' || tests.id('order') || '/resend-1', 'queued')$$,
  'and emailed again under a key of its own'
);

select * from finish();
rollback;
