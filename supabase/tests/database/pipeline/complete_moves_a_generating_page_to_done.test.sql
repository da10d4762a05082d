-- Completing a page for the attempt holding its lease, in one transaction: the page is done with its preview
-- path, the hi-res path and provider are recorded privately, the lease is released, the task message is deleted
-- and the job counts one more page.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('lease', tests.claim(tests.id('story'), 0));

select ok(
  internal.complete_page(tests.id('cover'), tests.id('lease'), :message, 'hires/cover.jpg', 'previews/cover.jpg', 'illustrator', 'storybook-v1'),
  'the lease holder''s completion is accepted'
);
select results_eq(
  $$select status::text, preview_path, last_error, completed_at is not null from public.story_pages where id = tests.id('cover')$$,
  $$values ('done', 'previews/cover.jpg', null::text, true)$$,
  'the page is done with its watermarked preview path'
);
select results_eq(
  $$select hires_path, provider, model, lease_token, lease_expires_at from internal.page_renders where page_id = tests.id('cover')$$,
  $$values ('hires/cover.jpg', 'illustrator', 'storybook-v1', null::uuid, null::timestamptz)$$,
  'the hi-res path and provider are recorded privately and the lease is released'
);
select is_empty(format('select 1 from pgmq.q_page_tasks where msg_id = %s', :message), 'the task message is deleted');
select is_empty(format('select 1 from pgmq.a_page_tasks where msg_id = %s', :message), 'and not archived');
select results_eq(
  $$select pages_completed::int, status::text, current_step from public.generation_jobs where story_id = tests.id('story')$$,
  $$values (1, 'processing', 'drawing the pages')$$,
  'the job counts one page done and moves on to the pages'
);

select * from finish();
rollback;
