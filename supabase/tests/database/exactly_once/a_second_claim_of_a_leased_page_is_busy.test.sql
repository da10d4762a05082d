-- Two deliveries of the same task: the first claim leases the page, the second finds the live lease and is
-- told busy, with no token, no extra attempt and the lease untouched; the message stays for the holder.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset

create temporary table first_claim on commit drop as select * from internal.claim_page(tests.id('cover'), :message);
create temporary table second_claim on commit drop as select * from internal.claim_page(tests.id('cover'), :message);

select is((select outcome from first_claim), 'claimed', 'the first claim leases the page');
select results_eq(
  'select outcome, lease_token, attempt::int from second_claim',
  $$values ('busy', null::uuid, 1)$$,
  'the second claim is busy and gets no token'
);
select results_eq(
  $$select p.attempts::int, r.lease_token from public.story_pages p join internal.page_renders r on r.page_id = p.id
     where p.id = tests.id('cover')$$,
  'select 1, lease_token from first_claim',
  'the page was attempted once and the first claim still holds the lease'
);
select isnt_empty(format('select 1 from pgmq.q_page_tasks where msg_id = %s', :message), 'the message stays in the queue');
select ok(
  internal.complete_page(tests.id('cover'), (select lease_token from first_claim), :message, 'h.jpg', 'p.jpg', 'illustrator', 'v1'),
  'the first claim completes the page'
);

select * from finish();
rollback;
