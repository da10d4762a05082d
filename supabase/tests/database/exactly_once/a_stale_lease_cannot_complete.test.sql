-- Only the attempt holding the current lease can complete a page. A token from an earlier attempt (one that
-- failed and was retried) or one never handed out is refused, and the refusal changes nothing: status, progress,
-- preview and hi-res paths, and the message all stay as they were.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('earlier', tests.claim(tests.id('story'), 0));
select tests.fail_attempt(tests.id('story'), 0, tests.id('earlier'), true);
select tests.remember('current', tests.claim(tests.id('story'), 0));

select is(
  internal.complete_page(tests.id('cover'), tests.id('earlier'), :message, 'stale/h.jpg', 'stale/p.jpg', 'illustrator', 'v1'),
  false,
  'the earlier attempt''s completion is refused'
);
select is(
  internal.complete_page(tests.id('cover'), gen_random_uuid(), :message, 'forged/h.jpg', 'forged/p.jpg', 'illustrator', 'v1'),
  false,
  'a token never handed out is refused'
);
select results_eq(
  $$select p.status::text, p.preview_path, r.hires_path, r.lease_token
      from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('cover')$$,
  $$values ('generating', null::text, null::text, tests.id('current'))$$,
  'the page is still generating for the current attempt, with no image recorded'
);
select is(
  (select pages_completed::int from public.generation_jobs where story_id = tests.id('story')),
  0,
  'no progress was counted'
);
select isnt_empty(format('select 1 from pgmq.q_page_tasks where msg_id = %s', :message), 'the message is still queued');
select ok(tests.complete(tests.id('story'), 0, tests.id('current')), 'the current attempt completes the page');

select * from finish();
rollback;
