-- The cover is the character anchor, so the story pages start only once it is done: completing it queues and
-- dispatches pages 1–5, one message each, and leaves the locked pages 6–10 pending. Completing a story page
-- queues nothing more.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('job', tests.job_id(tests.id('story')));
select tests.draw_page(tests.id('story'), 0);

select results_eq(
  $$select page_number::int, status::text, job_id from public.story_pages
     where story_id = tests.id('story') and page_number between 1 and 10 order by page_number$$,
  $$select n, case when n <= 5 then 'queued' else 'pending' end, case when n <= 5 then tests.id('job') end
      from generate_series(1, 10) as n$$,
  'pages 1–5 are queued under the job and pages 6–10 stay pending'
);
select set_eq(
  $$select (message ->> 'page_id')::uuid from pgmq.q_page_tasks$$,
  $$select id from public.story_pages where story_id = tests.id('story') and page_number between 1 and 5$$,
  'the queue holds exactly one task for each of pages 1–5'
);
select is(
  (select count(*) from pgmq.q_page_tasks),
  5::bigint,
  'and no more than one each'
);
select set_eq(
  $$select convert_from(body, 'utf8')::jsonb ->> 'page_id' from net.http_request_queue$$,
  $$select id::text from public.story_pages where story_id = tests.id('story') and page_number between 0 and 5$$,
  'the worker was called for the cover, then for each of pages 1–5 at once'
);

select tests.draw_page(tests.id('story'), 1);
select is(
  (select count(*) from public.story_pages where story_id = tests.id('story') and page_number > 5 and status <> 'pending'),
  0::bigint,
  'completing a story page queues nothing more'
);

select * from finish();
rollback;
