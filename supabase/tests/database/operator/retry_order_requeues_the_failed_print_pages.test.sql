-- A bought book whose print job failed on a page is printed on when an operator retries its order: the failed
-- page is queued again with fresh attempts under the print job, which is open again, even though the parent
-- has used up their own retries. Pages already printed are left alone. Anon, the buyer and another user
-- cannot retry an order.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001');
select tests.remember('order', tests.order_id('1001'));
select tests.remember('print_job', tests.print_job_id(tests.id('story')));
select tests.fail_page_for_good(tests.id('story'), 4);
select tests.draw_print_job(tests.id('story'));
update public.generation_jobs set retries = 3 where id = tests.id('print_job');

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.retry_order(%L)', tests.id('order')),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the buyer and another user cannot retry the order'
);

select tests.authenticate_as_service();
select is(
  ops.retry_order(tests.id('order')),
  jsonb_build_object('order_id', tests.id('order'), 'step', 'pages', 'pages_requeued', 1),
  'the service role retries it: one page is queued again'
);
select tests.clear_authentication();

select results_eq(
  $$select page_number::int, status::text, attempts::int, last_error, job_id from public.story_pages
     where story_id = tests.id('story') and status <> 'done'$$,
  $$values (4, 'queued', 0, null::text, tests.id('print_job'))$$,
  'page 4 is queued again under the print job, with fresh attempts; every other page stays printed'
);
select isnt(tests.message_id(tests.page_id(tests.id('story'), 4)), null, 'its task is in the queue');
select results_eq(
  $$select status::text, error, retries::int, pages_completed::int from public.generation_jobs
     where id = tests.id('print_job')$$,
  $$values ('processing', null::text, 3, 10)$$,
  'the print job is open again, its error cleared, the parent''s retries untouched'
);
select is(
  (select status::text from public.stories where id = tests.id('story')), 'processing',
  'the story is being made again'
);

select * from finish();
rollback;
