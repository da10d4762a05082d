-- Buying a book starts its print job: the story is marked purchased and processing, one print job covers its
-- 11 pages, and every page is queued under it with fresh attempts and no error, whatever its preview state
-- (drawn, failed, or locked and never drawn), each with one task. Drawn pages keep their preview meanwhile.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
-- The preview ends with the cover and pages 1–4 drawn, page 5 failed, pages 6–10 locked and pending.
select tests.draw_page(tests.id('story'), page_number) from generate_series(0, 4) as page_number;
select tests.fail_attempt(tests.id('story'), 5, tests.claim(tests.id('story'), 5), false);

select tests.remember('print_job', internal.start_print_job(tests.id('story')));

select is(tests.id('print_job'), tests.print_job_id(tests.id('story')), 'it returns the story''s print job');
select results_eq(
  $$select purchased_at, status::text from public.stories where id = tests.id('story')$$,
  $$values (now(), 'processing')$$,
  'the story is purchased now and processing'
);
select results_eq(
  $$select kind::text, status::text, total_pages::int, pages_completed::int, current_step
      from public.generation_jobs where story_id = tests.id('story') and id <> tests.job_id(tests.id('story'))$$,
  $$values ('print', 'queued', 11, 0, 'preparing the book for print')$$,
  'one print job of 11 pages is queued beside the preview job'
);
select results_eq(
  $$select page_number::int, status::text, job_id, attempts::int, last_error
      from public.story_pages where story_id = tests.id('story') order by page_number$$,
  $$select n, 'queued', tests.id('print_job'), 0, null::text from generate_series(0, 10) as n$$,
  'all 11 pages are queued under the print job with no attempts and no error'
);
select results_eq(
  $$select count(*)::int, count(distinct message ->> 'page_id')::int from pgmq.q_page_tasks
     where (message ->> 'page_id')::uuid in (select id from public.story_pages where story_id = tests.id('story'))$$,
  $$values (11, 11)$$,
  'each page has one task'
);
select is(
  (select count(*)::int from public.story_pages where story_id = tests.id('story') and preview_path is not null),
  5,
  'the five drawn pages keep their preview'
);

select * from finish();
rollback;
