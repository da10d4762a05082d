-- A book cannot go to print while a page of its preview is held for review: start_print_job refuses with
-- TC409 and a hint to release the page first, and changes nothing (not purchased, no print job, pages, leases
-- and queue as they were). Once the page is released and drawn it goes ahead.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), page_number) from unnest(array[0, 1, 2, 4, 5]) as page_number;
select tests.flag(tests.id('story'), 3);

-- Everything a purchase could touch.
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

select is(
  tests.error_of(format('select internal.start_print_job(%L)', tests.id('story'))),
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('a page of story %s is held for review', tests.id('story')),
                     'hint', 'release it (internal.release_flagged_page), then call again'),
  'refused with TC409 while page 3 is flagged, with a hint to release it'
);
select results_eq(
  'select * from book_state',
  'select * from state_before',
  'the story, its jobs, pages, leases and the queue are unchanged'
);

select internal.release_flagged_page(tests.page_id(tests.id('story'), 3));
select tests.draw_page(tests.id('story'), 3);
select lives_ok(format('select internal.start_print_job(%L)', tests.id('story')),
  'once the page is released and drawn it goes ahead');
select isnt(tests.print_job_id(tests.id('story')), null, 'and the print job exists');

select * from finish();
rollback;
