-- A preview may be bought while it is still being drawn: the order is created and the story bought at once
-- (it must not expire meanwhile), but the print job waits. start_pending_prints (every minute) starts nothing
-- while the preview is drawn, then starts the print job once its pages are done, and only once.
begin;
select plan(8);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));

select is(
  tests.pay(tests.id('story')::text, '1001'), 'order_created', 'the order is created while the cover is queued'
);
select is(tests.event_outcome('orders/paid', tests.order_gid('1001')), 'order_created', 'recorded as such');
select is((select purchased_at from public.stories where id = tests.id('story')), now(), 'the story is bought now');
select is(tests.print_job_id(tests.id('story')), null, 'no print job yet');

select tests.remember('lease', tests.claim(tests.id('story'), 0));
select is(internal.start_pending_prints(), 0, 'start_pending_prints starts nothing while the cover is drawn');

select tests.complete(tests.id('story'), 0, tests.id('lease'));
select tests.draw_page(tests.id('story'), page_number) from generate_series(1, 5) as page_number;
select is(internal.start_pending_prints(), 1, 'once the preview is drawn, it starts one print job');
select results_eq(
  $$select j.status::text, j.total_pages::int,
           (select count(*)::int from public.story_pages p where p.job_id = j.id and p.status = 'queued')
      from public.generation_jobs j where j.story_id = tests.id('story') and j.kind = 'print'$$,
  $$values ('queued', 11, 11)$$,
  'the print job is queued with all 11 pages'
);
select is(internal.start_pending_prints(), 0, 'the next run starts nothing more');

select * from finish();
rollback;
