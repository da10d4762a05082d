-- The dispatcher reserves a concurrency slot for every message it hands out. When the delivery turns out to be a
-- duplicate for a page already done, the slot must be given back at once; otherwise each duplicate shrinks the
-- budget for a whole worker timeout.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.draw_page(tests.id('story'), 0);
select msg_id as duplicate from pgmq.send('page_tasks', jsonb_build_object('page_id', tests.id('cover'))) as msg_id \gset

select is(internal.dispatch_page_tasks(), 1, 'the dispatcher hands out the duplicate task');
select is(
  (select outcome from internal.claim_page(tests.id('cover'), :duplicate)),
  'not_queued',
  'the worker''s claim drops it'
);
select is(
  (select count(*) from internal.page_renders r join public.story_pages p on p.id = r.page_id
    where p.story_id = tests.id('story') and r.lease_expires_at > now()),
  5::bigint,
  'only pages 1–5 hold slots: the done cover''s slot was given back'
);

select * from finish();
rollback;
