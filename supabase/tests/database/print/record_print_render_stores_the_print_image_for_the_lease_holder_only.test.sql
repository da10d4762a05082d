-- The print image of a page (path and size in pixels) is stored only by the attempt holding the page's
-- lease while it is generating: an earlier attempt, a forged token, or any attempt once the page is done is
-- refused with false and stores nothing.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('page', tests.page_id(tests.id('story'), 6));
select tests.draw_preview(tests.id('story'));
select internal.start_print_job(tests.id('story'));
select tests.remember('earlier', tests.claim(tests.id('story'), 6));
select tests.fail_attempt(tests.id('story'), 6, tests.id('earlier'), true);
select tests.remember('current', tests.claim(tests.id('story'), 6));

select is(
  internal.record_print_render(tests.id('page'), tests.id('earlier'), 'stale/print.png', 1024, 1024),
  false,
  'the earlier attempt''s print image is refused'
);
select is(
  internal.record_print_render(tests.id('page'), gen_random_uuid(), 'forged/print.png', 1024, 1024),
  false,
  'a token never handed out is refused'
);
select results_eq(
  $$select print_path, print_width, print_height from internal.page_renders where page_id = tests.id('page')$$,
  $$values (null::text, null::integer, null::integer)$$,
  'nothing is stored for them'
);

select is(
  internal.record_print_render(tests.id('page'), tests.id('current'), 'story/6/print.png', 4096, 4096),
  true,
  'the lease holder''s print image is recorded'
);
select tests.complete(tests.id('story'), 6, tests.id('current'));
select is(
  internal.record_print_render(tests.id('page'), tests.id('current'), 'late/print.png', 1024, 1024),
  false,
  'once the page is done, even its last lease holder is refused'
);
select results_eq(
  $$select print_path, print_width, print_height from internal.page_renders where page_id = tests.id('page')$$,
  $$values ('story/6/print.png', 4096, 4096)$$,
  'the page keeps the lease holder''s print image and size'
);

select * from finish();
rollback;
