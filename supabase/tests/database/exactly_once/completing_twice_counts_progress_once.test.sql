-- A completion delivered twice (a retried request, a duplicate worker call with the same lease) counts once:
-- the second is refused, the page keeps its first images, progress is counted once, the next pages are queued
-- once and done is broadcast once.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('lease', tests.claim(tests.id('story'), 0));

select ok(
  internal.complete_page(tests.id('cover'), tests.id('lease'), :message, 'first/h.jpg', 'first/p.jpg', 'illustrator', 'v1'),
  'the first completion is accepted'
);
select is(
  internal.complete_page(tests.id('cover'), tests.id('lease'), :message, 'second/h.jpg', 'second/p.jpg', 'illustrator', 'v1'),
  false,
  'the second completion with the same lease is refused'
);
select results_eq(
  $$select p.preview_path, r.hires_path, j.pages_completed::int
      from public.story_pages p join internal.page_renders r on r.page_id = p.id join public.generation_jobs j on j.id = p.job_id
     where p.id = tests.id('cover')$$,
  $$values ('first/p.jpg', 'first/h.jpg', 1)$$,
  'the page keeps the first images and progress counts one page'
);
select is((select count(*) from pgmq.q_page_tasks), 5::bigint, 'pages 1–5 were queued once each');
select is(
  (select count(*) from realtime.messages
    where topic = 'story:' || tests.id('story') and event = 'page_status' and payload ->> 'page' = '0' and payload ->> 'status' = 'done'),
  1::bigint,
  'done was broadcast once'
);

select * from finish();
rollback;
