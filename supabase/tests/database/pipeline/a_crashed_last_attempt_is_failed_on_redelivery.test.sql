-- A worker that dies on the page's last attempt never reports back; when the message is delivered again after
-- the lease has expired, the claim finds no attempt left: it answers exhausted, fails the page and archives the
-- task, so the job fails instead of waiting for ever.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

-- three attempts, each abandoned by a crashed worker
select tests.claim(tests.id('story'), 0);
select tests.expire_delivery(tests.id('cover'));
select tests.claim(tests.id('story'), 0);
select tests.expire_delivery(tests.id('cover'));
select tests.claim(tests.id('story'), 0);
select tests.expire_delivery(tests.id('cover'));

select results_eq(
  format('select outcome, lease_token, attempt::int from internal.claim_page(%L, %s)', tests.id('cover'), :message),
  $$values ('exhausted', null::uuid, 3)$$,
  'the fourth delivery finds the attempts exhausted'
);
select results_eq(
  $$select status::text, last_error from public.story_pages where id = tests.id('cover')$$,
  $$values ('failed', 'exhausted: the page ran out of attempts')$$,
  'the page is failed'
);
select isnt_empty(format('select 1 from pgmq.a_page_tasks where msg_id = %s', :message), 'its task is archived');
select is(
  (select status::text from public.generation_jobs where story_id = tests.id('story')),
  'failed',
  'the job fails'
);

select * from finish();
rollback;
