-- A book cannot go to print while its preview is still being drawn: with a page queued or generating,
-- start_print_job refuses with TC409 and a hint to call again, and starts nothing. Once the preview is drawn it
-- goes ahead.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));

select throws_ok(
  format('select internal.start_print_job(%L)', tests.id('story')),
  'TC409', format('the preview of story %s is still being drawn', tests.id('story')),
  'refused while the cover is queued'
);
select tests.remember('lease', tests.claim(tests.id('story'), 0));
select is(
  tests.error_of(format('select internal.start_print_job(%L)', tests.id('story'))),
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('the preview of story %s is still being drawn', tests.id('story')),
                     'hint', 'call again once its preview job has finished'),
  'refused while the cover is generating, with a hint to call again'
);
select results_eq(
  $$select s.purchased_at, p.status::text, p.job_id, (select count(*)::int from public.generation_jobs j
                                                        where j.story_id = s.id)
      from public.stories s join public.story_pages p on p.story_id = s.id and p.page_number = 0
     where s.id = tests.id('story')$$,
  $$select null::timestamptz, 'generating', tests.job_id(tests.id('story')), 1$$,
  'nothing was started: not purchased, the cover still generating for its preview, no print job'
);

select tests.complete(tests.id('story'), 0, tests.id('lease'));
select tests.draw_page(tests.id('story'), page_number) from generate_series(1, 5) as page_number;
select lives_ok(format('select internal.start_print_job(%L)', tests.id('story')), 'once the preview is drawn it goes ahead');
select isnt(tests.print_job_id(tests.id('story')), null, 'and the print job exists');

select * from finish();
rollback;
