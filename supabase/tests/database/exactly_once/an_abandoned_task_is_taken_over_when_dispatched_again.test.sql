-- The crash path end to end in SQL: a worker claims the cover and dies. When the message's visibility timeout
-- passes, the next dispatch (cron or enqueue) hands the message out again, and that delivery must be able to take
-- the page over; otherwise the page stays generating for ever and the preview never completes.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('crashed', tests.claim(tests.id('story'), 0));
select tests.expire_delivery(tests.id('cover'));

select is(internal.dispatch_page_tasks(), 1, 'the next dispatch hands the abandoned message out again');
select results_eq(
  format('select outcome, attempt::int from internal.claim_page(%L, %s)', tests.id('cover'), :message),
  $$values ('claimed', 2)$$,
  'the redelivery takes the page over as attempt 2'
);
select isnt(
  (select lease_token from internal.page_renders where page_id = tests.id('cover')),
  tests.id('crashed'),
  'the crashed attempt no longer holds the lease'
);

select * from finish();
rollback;
