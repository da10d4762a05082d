-- A repeated purchase notice starts nothing new: start_print_job returns the story's print job and leaves the
-- story, its jobs, its pages (even one already being drawn for print) and the queue as they were.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('print_job', internal.start_print_job(tests.id('story')));
select tests.claim(tests.id('story'), 6);
-- The first notice came a day ago.
update public.stories set purchased_at = now() - interval '1 day' where id = tests.id('story');

-- Everything a purchase could touch, read again after each notice.
create temporary view book_state as
select (select jsonb_agg(s) from public.stories s where s.id = tests.id('story')) as story,
       (select jsonb_agg(j order by j.kind) from public.generation_jobs j
         where j.story_id = tests.id('story')) as jobs,
       (select jsonb_agg(p order by p.page_number) from public.story_pages p
         where p.story_id = tests.id('story')) as pages,
       (select jsonb_agg(r order by r.page_id) from internal.page_renders r
         where r.page_id in (select id from public.story_pages where story_id = tests.id('story'))) as renders,
       (select jsonb_agg(jsonb_build_array(q.msg_id, q.vt, q.message) order by q.msg_id)
          from pgmq.q_page_tasks q) as queue;
create temporary table state_before on commit drop as select * from book_state;

select is(internal.start_print_job(tests.id('story')), tests.id('print_job'),
  'the second notice gets the same job');
select is(internal.start_print_job(tests.id('story')), tests.id('print_job'), 'and so does a third');
select results_eq(
  'select * from book_state',
  'select * from state_before',
  'the story, its jobs, pages, leases and the queue are unchanged'
);

select * from finish();
rollback;
