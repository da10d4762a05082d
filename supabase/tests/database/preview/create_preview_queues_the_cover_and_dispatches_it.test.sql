-- Creating a preview makes a story, its preview job and the cover plus ten pages, then moves the cover from
-- pending to queued: one task message carrying the page id only, handed at once to the page-worker function
-- through pg_net with the service key from vault, and its slot reserved in the concurrency budget.
begin;
select plan(9);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.remember('job', tests.job_id(tests.id('story')));

select results_eq(
  $$select s.status::text, j.kind::text, j.status::text, j.total_pages::int, j.pages_completed::int
      from public.stories s join public.generation_jobs j on j.story_id = s.id where s.id = tests.id('story')$$,
  $$values ('queued', 'preview', 'queued', 6, 0)$$,
  'the story and its preview job are queued, with six pages to draw'
);
select results_eq(
  $$select status::text, job_id, queued_at is not null, attempts::int from public.story_pages where id = tests.id('cover')$$,
  $$values ('queued', tests.id('job'), true, 0)$$,
  'the cover is queued under the job, not yet attempted'
);
select is(
  (select array_agg(distinct status::text) from public.story_pages where story_id = tests.id('story') and page_number > 0),
  array['pending'],
  'pages 1–10 stay pending until the cover is drawn'
);
select results_eq(
  $$select message from pgmq.q_page_tasks$$,
  $$values (jsonb_build_object('page_id', tests.id('cover')))$$,
  'one task message is queued, and it carries the page id only'
);
select results_eq(
  $$select read_ct, vt > now() from pgmq.q_page_tasks$$,
  $$values (1, true)$$,
  'the dispatcher has already read the message, hiding it for the worker''s time budget'
);
select results_eq(
  $$select method::text, url, headers ->> 'Authorization', convert_from(body, 'utf8')::jsonb from net.http_request_queue$$,
  $$select 'POST', 'http://127.0.0.1:54321/functions/v1/page-worker', 'Bearer test-service-role-key',
           jsonb_build_object('msg_id', msg_id, 'page_id', tests.id('cover')) from pgmq.q_page_tasks$$,
  'the worker is called at once with {msg_id, page_id} and the service key from vault'
);
select ok(
  (select lease_expires_at > now() and lease_token is null from internal.page_renders where page_id = tests.id('cover')),
  'the dispatch reserves the cover''s slot in the concurrency budget without leasing it to anyone'
);
select is(
  (select count(*) from internal.page_renders r join public.story_pages p on p.id = r.page_id where p.story_id = tests.id('story')),
  11::bigint,
  'every page has its private render row'
);
select is_empty(
  $$select 1 from internal.page_renders r join public.story_pages p on p.id = r.page_id
     where p.story_id = tests.id('story') and (r.hires_path is not null or p.preview_path is not null)$$,
  'no page has an image yet'
);

select * from finish();
rollback;
