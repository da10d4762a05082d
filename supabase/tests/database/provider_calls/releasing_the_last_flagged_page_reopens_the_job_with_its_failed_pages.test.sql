-- A job stays held while any of its pages is flagged. Releasing one of two flagged pages re-queues that page
-- only: the other stays flagged, a page that failed meanwhile stays failed, and the job stays failed as held
-- for review. Releasing the last flagged page re-queues it together with the pages that failed meanwhile (the
-- parent could not retry them while the job was held), each with fresh attempts and a new task, and reopens
-- the job and story.
begin;
select plan(8);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);
select tests.flag(tests.id('story'), 2);
select tests.flag(tests.id('story'), 3);
select tests.fail_page_for_good(tests.id('story'), 4);
select max(msg_id) as last_message
  from (select msg_id from pgmq.q_page_tasks union all select msg_id from pgmq.a_page_tasks) as sent \gset

select is(internal.release_flagged_page(tests.page_id(tests.id('story'), 3)), true, 'page 3 is released');
select results_eq(
  $$select page_number::int, status::text, attempts::int from public.story_pages
     where story_id = tests.id('story') and page_number in (2, 3, 4) order by page_number$$,
  $$values (2, 'flagged', 2), (3, 'queued', 0), (4, 'failed', 1)$$,
  'only page 3 is queued again, with fresh attempts; page 2 stays flagged and page 4 failed'
);
select results_eq(
  format($$select p.page_number::int from pgmq.q_page_tasks q
             join public.story_pages p on p.id = (q.message ->> 'page_id')::uuid
            where q.msg_id > %s$$, :last_message),
  $$values (3)$$,
  'one new task is sent, for page 3'
);
select results_eq(
  $$select j.status::text, j.current_step, j.error like 'Our team is reviewing page %', s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('failed', 'held for review', true, 'failed')$$,
  'the job stays failed as held for review, with a review message, and so does the story'
);

select max(msg_id) as last_message
  from (select msg_id from pgmq.q_page_tasks union all select msg_id from pgmq.a_page_tasks) as sent \gset
select is(internal.release_flagged_page(tests.page_id(tests.id('story'), 2)), true, 'page 2, the last held, is released');
select results_eq(
  $$select page_number::int, status::text, attempts::int, last_error from public.story_pages
     where story_id = tests.id('story') and page_number in (2, 3, 4) order by page_number$$,
  $$values (2, 'queued', 0, null::text), (3, 'queued', 0, null::text), (4, 'queued', 0, null::text)$$,
  'page 2 and the failed page 4 are queued with fresh attempts and no error, page 3 still queued'
);
select results_eq(
  format($$select p.page_number::int from pgmq.q_page_tasks q
             join public.story_pages p on p.id = (q.message ->> 'page_id')::uuid
            where q.msg_id > %s order by p.page_number$$, :last_message),
  $$values (2), (4)$$,
  'one new task each is sent for pages 2 and 4'
);
select results_eq(
  $$select j.status::text, j.current_step, j.error, j.retries::int, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('processing', 'retrying', null::text, 0, 'processing')$$,
  'the job and story are processing again, the review message gone and no parent retry counted'
);

select * from finish();
rollback;
