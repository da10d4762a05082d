-- A locked page (6–10) of a bought book may be drawn straight at print resolution, so it may be done without
-- a watermarked preview; an unlocked page may not (check constraint done_page_has_preview), and its completion
-- without one is refused whole.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select internal.start_print_job(tests.id('story'));
select tests.remember('locked', tests.page_id(tests.id('story'), 6));
select tests.remember('unlocked', tests.page_id(tests.id('story'), 1));
select tests.remember('locked_lease', tests.claim(tests.id('story'), 6));
select tests.remember('unlocked_lease', tests.claim(tests.id('story'), 1));

select is(
  (select array_agg(is_locked order by page_number) from public.story_pages
    where id in (tests.id('unlocked'), tests.id('locked'))),
  array[false, true],
  'page 1 is unlocked and page 6 locked'
);
select is(
  internal.complete_page(tests.id('locked'), tests.id('locked_lease'), tests.message_id(tests.id('locked')),
                         'story/6/hires.png', null, 'fal', 'fal-ai/nano-banana-2/edit'),
  true,
  'the locked page completes without a preview image'
);
select results_eq(
  $$select status::text, preview_path from public.story_pages where id = tests.id('locked')$$,
  $$values ('done', null::text)$$,
  'and is done with none'
);

select throws_ok(
  format($$select internal.complete_page(%L, %L, %s, 'story/1/hires.png', null, 'fal', 'fal-ai/nano-banana-2/edit')$$,
         tests.id('unlocked'), tests.id('unlocked_lease'), tests.message_id(tests.id('unlocked'))),
  '23514', 'new row for relation "story_pages" violates check constraint "done_page_has_preview"',
  'the unlocked page cannot be done without its preview'
);
select results_eq(
  $$select status::text, (select pages_completed::int from public.generation_jobs where id = p.job_id)
      from public.story_pages p where id = tests.id('unlocked')$$,
  $$values ('generating', 1)$$,
  'it is still generating, and only the locked page was counted'
);

select * from finish();
rollback;
