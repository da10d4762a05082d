-- A job with a page held for review stays held when another of its pages fails for good (its last attempt,
-- or an error not worth retrying): that page fails and its task is archived, but the job keeps the review
-- message naming the flagged page and stays failed as held for review, since the parent's retry would not help.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);
select tests.flag(tests.id('story'), 3);
select tests.remember('page_4', tests.page_id(tests.id('story'), 4));
select tests.message_id(tests.id('page_4')) as message \gset

select is(
  tests.fail_attempt(tests.id('story'), 4, tests.claim(tests.id('story'), 4), false),
  'failed',
  'the other page''s attempt fails for good'
);
select results_eq(
  $$select status::text, last_error from public.story_pages where id = tests.id('page_4')$$,
  $$values ('failed', 'provider_error: the image provider answered 503')$$,
  'that page is failed with its error'
);
select isnt_empty(format('select 1 from pgmq.a_page_tasks where msg_id = %s', :message), 'and its task archived');
select results_eq(
  $$select j.status::text, j.current_step, j.error, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('failed', 'held for review',
            'Our team is reviewing page 3 before we draw it again. We will be in touch.', 'failed')$$,
  'the job stays failed as held for review, still naming the flagged page rather than asking for a retry'
);

select * from finish();
rollback;
