-- Queueing is idempotent: only a pending or failed page moves to queued and gets a task message. Queueing a page
-- that is already queued, generating or done sends nothing and leaves it as it is.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('job', tests.job_id(tests.id('story')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.remember('page_1', tests.page_id(tests.id('story'), 1));
select tests.remember('page_2', tests.page_id(tests.id('story'), 2));
select tests.draw_page(tests.id('story'), 0);
select tests.claim(tests.id('story'), 1);
select count(*) as messages_before from pgmq.q_page_tasks \gset

select internal.enqueue_page(tests.id('cover'), tests.id('job'));
select internal.enqueue_page(tests.id('page_1'), tests.id('job'));
select internal.enqueue_page(tests.id('page_2'), tests.id('job'));

select results_eq(
  $$select page_number::int, status::text from public.story_pages where id in (tests.id('cover'), tests.id('page_1'), tests.id('page_2')) order by 1$$,
  $$values (0, 'done'), (1, 'generating'), (2, 'queued')$$,
  'the done, generating and queued pages keep their status'
);
select is((select count(*) from pgmq.q_page_tasks), :messages_before::bigint, 'no task message was sent for them');

select tests.remember('page_6', tests.page_id(tests.id('story'), 6));
select internal.enqueue_page(tests.id('page_6'), tests.id('job'));
select is((select status::text from public.story_pages where id = tests.id('page_6')), 'queued', 'a pending page is queued');
select is((select count(*) from pgmq.q_page_tasks), :messages_before::bigint + 1, 'with one task message');

select * from finish();
rollback;
