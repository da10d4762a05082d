-- A submission by an attempt that no longer holds the page's lease (an earlier attempt, a token never handed
-- out, or a page no longer generating) is refused with false, so that the worker cancels the request: no call
-- is recorded and neither the current lease nor the task's visibility moves.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('earlier', tests.claim(tests.id('story'), 0));
select tests.fail_attempt(tests.id('story'), 0, tests.id('earlier'), true);
select tests.remember('current', tests.claim(tests.id('story'), 0));

create temporary table before on commit drop as
select r.lease_token, r.lease_expires_at, q.vt
  from internal.page_renders r, pgmq.q_page_tasks q
 where r.page_id = tests.id('cover') and q.msg_id = :message;

select is(tests.submit(tests.id('story'), 0, tests.id('earlier'), 'req-earlier'), false,
  'the earlier attempt''s submission is refused');
select is(tests.submit(tests.id('story'), 0, gen_random_uuid(), 'req-forged'), false,
  'a token never handed out is refused');
select is_empty('select 1 from internal.provider_calls', 'no call was recorded');
select results_eq(
  format($$select r.lease_token, r.lease_expires_at, q.vt from internal.page_renders r, pgmq.q_page_tasks q
            where r.page_id = tests.id('cover') and q.msg_id = %s$$, :message),
  'select * from before',
  'the current lease, its end and the task''s visibility are as they were'
);

-- Once the page is done, even the attempt that held its lease cannot submit it again.
select tests.complete(tests.id('story'), 0, tests.id('current'));
select is(tests.submit(tests.id('story'), 0, tests.id('current'), 'req-after-done'), false,
  'a submission for a page no longer generating is refused');
select is_empty('select 1 from internal.provider_calls', 'still no call is recorded');

select * from finish();
rollback;
