-- A task delivered again after its page is done (a pg_net retry, a message sent twice) is answered not_queued
-- and deleted; the page is not attempted again and keeps its images.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.draw_page(tests.id('story'), 0);
create temporary table done_cover on commit drop as
  select p.status, p.attempts, p.preview_path, p.completed_at, r.hires_path
    from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('cover');
select msg_id as duplicate from pgmq.send('page_tasks', jsonb_build_object('page_id', tests.id('cover'))) as msg_id \gset

select results_eq(
  format('select outcome, lease_token, attempt::int from internal.claim_page(%L, %s)', tests.id('cover'), :duplicate),
  $$values ('not_queued', null::uuid, 1)$$,
  'the duplicate is answered not_queued'
);
select is_empty(format('select 1 from pgmq.q_page_tasks where msg_id = %s', :duplicate), 'the duplicate message is deleted');
select is_empty(format('select 1 from pgmq.a_page_tasks where msg_id = %s', :duplicate), 'not archived: nothing went wrong');
select results_eq(
  $$select p.status, p.attempts, p.preview_path, p.completed_at, r.hires_path
      from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('cover')$$,
  'select * from done_cover',
  'the page is untouched: done, attempted once, same images'
);

select * from finish();
rollback;
