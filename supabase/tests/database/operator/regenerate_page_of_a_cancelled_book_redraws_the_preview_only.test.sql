-- A book whose order was cancelled after it was made is a preview again: regenerating one of its pages redraws
-- the page under the preview job only. The print job, which stays completed, is not reopened, nothing is
-- printed, assembled or emailed, and the answer says no book is made again. Anon, the owner and another user
-- cannot regenerate a page.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('order', tests.deliver(tests.id('story'), '1001'));
select tests.cancel('1001');
select tests.remember('page', tests.page_id(tests.id('story'), 2));
select tests.remember('print_job', tests.print_job_id(tests.id('story')));

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.regenerate_page(%L, %L)', tests.id('page'), 'ticket 9'),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the owner and another user cannot regenerate a page'
);

select tests.authenticate_as_service();
select is(
  ops.regenerate_page(tests.id('page'), 'ticket 9: page 2 is too dark') -> 'book_made_again', 'false'::jsonb,
  'the service role regenerates page 2; no book is made again'
);
select tests.clear_authentication();

select tests.draw_page(tests.id('story'), 2);
select results_eq(
  $$select status::text, job_id from public.story_pages where id = tests.id('page')$$,
  $$values ('done', tests.job_id(tests.id('story')))$$,
  'the page is drawn again under the preview job, and stays there'
);
select results_eq(
  $$select status::text, pages_completed::int from public.generation_jobs where id = tests.id('print_job')$$,
  $$values ('completed', 11)$$,
  'the print job is not reopened'
);
select results_eq(
  $$select (select count(*) from pgmq.q_page_tasks), (select count(*) from pgmq.q_book_tasks),
           (select count(*) from internal.email_outbox)$$,
  $$values (0::bigint, 0::bigint, 1::bigint)$$,
  'nothing is printed, assembled or emailed'
);

select * from finish();
rollback;
