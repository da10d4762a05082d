-- An operator releases a flagged page: it is queued again under its job with fresh attempts, keeping its
-- refusal count (so it is drawn with the softened prompt), a new task is sent, and its job and story are
-- processing again. A page released once is no longer flagged, so a second release changes nothing.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);
select tests.remember('page', tests.page_id(tests.id('story'), 3));
select tests.message_id(tests.id('page')) as flagged_message \gset
select tests.flag(tests.id('story'), 3);

select is(internal.release_flagged_page(tests.id('page')), true, 'the flagged page is released');
select results_eq(
  $$select p.status::text, p.attempts::int, p.job_id, r.content_refusals::int
      from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('page')$$,
  $$select 'queued', 0, tests.job_id(tests.id('story')), 1$$,
  'the page is queued under its job with no attempts, its refusal still counted'
);
select results_eq(
  format($$select count(*)::int, bool_and(msg_id > %s) from pgmq.q_page_tasks where message ->> 'page_id' = %L$$,
         :flagged_message, tests.id('page')),
  $$values (1, true)$$,
  'one new task is queued for it'
);
select results_eq(
  $$select j.status::text, j.current_step, j.error, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('processing', 'retrying', null::text, 'processing')$$,
  'its job and story are processing again, the review message gone'
);
select results_eq(
  format('select outcome, attempt::int from internal.claim_page(%L, %s)',
         tests.id('page'), tests.message_id(tests.id('page'))),
  $$values ('claimed', 1)$$,
  'the page can be drawn again, as its first attempt'
);

select is(internal.release_flagged_page(tests.id('page')), false, 'a second release is refused');
select results_eq(
  $$select status::text, attempts::int from public.story_pages where id = tests.id('page')$$,
  $$values ('generating', 1)$$,
  'and leaves the page''s attempt alone'
);

select * from finish();
rollback;
