-- An order cancelled while its preview is still being drawn has no print job to stop; the cancellation must
-- keep one from starting later: once the preview is done, start_pending_prints passes the cancelled order by.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.pay(tests.id('story')::text, '1001');

select is(tests.cancel('1001', 'customer'), 'cancelled', 'the order is cancelled while the cover is queued');
select is((select status::text from public.orders), 'cancelled', 'the order is cancelled');

select tests.draw_preview(tests.id('story'));
select is(internal.start_pending_prints(), 0, 'once the preview is drawn, start_pending_prints starts nothing');
select is(tests.print_job_id(tests.id('story')), null, 'the story has no print job');
select is(
  (select count(*) from public.story_pages where story_id = tests.id('story') and status in ('queued', 'generating')),
  0::bigint,
  'and no page is queued'
);

select * from finish();
rollback;
