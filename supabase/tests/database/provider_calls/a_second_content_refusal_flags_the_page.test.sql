-- A page refused on content grounds a second time (its softened retry refused too) is flagged for an operator
-- rather than retried or failed: its task is archived and its lease released, the job fails saying the page is
-- held for review and naming it, and the story fails. The parent's retry does not send it back to the provider.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);
select tests.remember('page', tests.page_id(tests.id('story'), 3));
select tests.message_id(tests.id('page')) as message \gset
select tests.refuse(tests.id('story'), 3, tests.claim(tests.id('story'), 3));

select is(tests.refuse(tests.id('story'), 3, tests.claim(tests.id('story'), 3)), 'flagged', 'the pipeline answers flagged');
select results_eq(
  $$select p.status::text, p.last_error, r.lease_token, r.lease_expires_at
      from public.story_pages p join internal.page_renders r on r.page_id = p.id where p.id = tests.id('page')$$,
  $$values ('flagged', 'content_refused: the content checker refused it', null::uuid, null::timestamptz)$$,
  'the page is flagged with the refusal, and its lease released'
);
select is_empty(format('select 1 from pgmq.q_page_tasks where msg_id = %s', :message), 'its message left the queue');
select results_eq(
  'select msg_id from pgmq.a_page_tasks',
  format('values (%s::bigint)', :message),
  'and was archived'
);
select results_eq(
  $$select j.status::text, j.current_step, j.error, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id where s.id = tests.id('story')$$,
  $$values ('failed', 'held for review',
            'Our team is reviewing page 3 before we draw it again. We will be in touch.', 'failed')$$,
  'the job fails as held for review, naming the page, and the story fails'
);
select is(internal.retry_story(tests.id('story')), 0, 'the parent''s retry requeues nothing');
select is(
  (select status::text from public.story_pages where id = tests.id('page')),
  'flagged',
  'and the page stays flagged'
);

select * from finish();
rollback;
