-- When a lease expires (the worker is slow or gone) the next delivery takes the page over with a new token and
-- attempt; from then on the old attempt can neither complete nor fail the page, and the new one completes it.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('old', tests.claim(tests.id('story'), 0));
-- the old attempt's lease runs out while its worker is still silent
update internal.page_renders set lease_expires_at = now() - interval '1 second' where page_id = tests.id('cover');

create temporary table takeover on commit drop as select * from internal.claim_page(tests.id('cover'), :message);

select results_eq(
  'select outcome, lease_token <> tests.id(''old''), attempt::int from takeover',
  $$values ('claimed', true, 2)$$,
  'the claim after expiry takes the page over with a new token, as attempt 2'
);
select results_eq(
  $$select lease_token, lease_expires_at > now() from internal.page_renders where page_id = tests.id('cover')$$,
  'select lease_token, true from takeover',
  'the page''s lease is the new one, live again'
);
select is(
  internal.complete_page(tests.id('cover'), tests.id('old'), :message, 'old/h.jpg', 'old/p.jpg', 'illustrator', 'v1'),
  false,
  'the old attempt can no longer complete the page'
);
select is(tests.fail_attempt(tests.id('story'), 0, tests.id('old'), false), 'stale', 'nor fail it');
select ok(
  internal.complete_page(tests.id('cover'), (select lease_token from takeover), :message, 'new/h.jpg', 'new/p.jpg', 'illustrator', 'v1'),
  'the new attempt completes the page'
);
select results_eq(
  $$select p.status::text, p.preview_path, r.hires_path, j.pages_completed::int
      from public.story_pages p join internal.page_renders r on r.page_id = p.id join public.generation_jobs j on j.id = p.job_id
     where p.id = tests.id('cover')$$,
  $$values ('done', 'new/p.jpg', 'new/h.jpg', 1)$$,
  'the page holds the new attempt''s images, counted once'
);

select * from finish();
rollback;
