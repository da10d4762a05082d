-- Only a flagged page can be released: for a page that is queued, generating, done or failed, or for no page
-- at all, release_flagged_page answers false and neither the page, its job nor the queue changes.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);
select tests.claim(tests.id('story'), 1);
select tests.fail_attempt(tests.id('story'), 2, tests.claim(tests.id('story'), 2), false);

create temporary table pages_before on commit drop as
select page_number, status, attempts, job_id from public.story_pages where story_id = tests.id('story');
create temporary table jobs_before on commit drop as
select status, current_step, error from public.generation_jobs where story_id = tests.id('story');
create temporary table queue_before on commit drop as select msg_id, vt from pgmq.q_page_tasks;

select is(internal.release_flagged_page(tests.page_id(tests.id('story'), 0)), false, 'a done page is not released');
select is(internal.release_flagged_page(tests.page_id(tests.id('story'), 1)), false, 'a generating page is not released');
select is(internal.release_flagged_page(tests.page_id(tests.id('story'), 2)), false, 'a failed page is not released');
select is(internal.release_flagged_page(tests.page_id(tests.id('story'), 3)), false, 'a queued page is not released');
select is(internal.release_flagged_page(gen_random_uuid()), false, 'no page, nothing released');
select ok(
  (select array_agg(row(page_number, status, attempts, job_id) order by page_number) from public.story_pages
    where story_id = tests.id('story'))
    = (select array_agg(row(page_number, status, attempts, job_id) order by page_number) from pages_before)
  and (select array_agg(row(status, current_step, error)) from public.generation_jobs where story_id = tests.id('story'))
    = (select array_agg(row(status, current_step, error)) from jobs_before)
  and (select array_agg(row(msg_id, vt) order by msg_id) from pgmq.q_page_tasks)
    = (select array_agg(row(msg_id, vt) order by msg_id) from queue_before),
  'the pages, the job and the queue are as they were'
);

select * from finish();
rollback;
