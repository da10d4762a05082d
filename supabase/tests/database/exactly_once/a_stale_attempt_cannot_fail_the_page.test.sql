-- A failure reported by an attempt that no longer holds the lease is answered stale and changes nothing: the
-- page keeps generating for the current attempt, its message is neither delayed nor archived, and the job
-- does not fail.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('old', tests.claim(tests.id('story'), 0));
select tests.expire_delivery(tests.id('cover'));
select tests.remember('current', tests.claim(tests.id('story'), 0));
select vt as visible_at from pgmq.q_page_tasks where msg_id = :message \gset

select is(tests.fail_attempt(tests.id('story'), 0, tests.id('old'), false), 'stale', 'the old attempt''s failure is stale');
select results_eq(
  $$select p.status::text, p.last_error, r.lease_token
      from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('cover')$$,
  $$values ('generating', null::text, tests.id('current'))$$,
  'the page is still generating for the current attempt, with no error recorded'
);
select results_eq(
  format('select vt from pgmq.q_page_tasks where msg_id = %s', :message),
  format('values (%L::timestamptz)', :'visible_at'),
  'the message is neither delayed nor archived'
);
select is(
  (select status::text from public.generation_jobs where story_id = tests.id('story')),
  'processing',
  'the job does not fail'
);

select * from finish();
rollback;
