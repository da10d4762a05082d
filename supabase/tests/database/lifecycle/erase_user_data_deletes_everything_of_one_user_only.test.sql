-- Erasure deletes every row of one parent's data: their stories with the pages, renders and jobs that hang off
-- them, their photos and their upload attempts, and records the erasure once, with counts. Another parent's
-- data is untouched.
begin;
select plan(10);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.draw_preview(tests.id('story'));
select tests.create_preview(tests.id('parent'));
select tests.create_photo(tests.id('parent'));
select internal.admit_photo_upload(tests.id('parent'));
select tests.remember('others_story', tests.create_preview(tests.id('other')));
select internal.admit_photo_upload(tests.id('other'));

create temporary table erased on commit drop as select * from internal.erase_user_data(tests.id('parent'));

select results_eq('select photos, stories from erased', 'values (3, 2)', 'it reports 3 photos and 2 stories erased');
select is_empty($$select id from public.stories where user_id = tests.id('parent')$$, 'the parent''s stories are gone');
select is_empty($$select id from public.photos where user_id = tests.id('parent')$$, 'their photos are gone');
select is(
  (select count(*) from public.story_pages p where not exists (select 1 from public.stories s where s.id = p.story_id)),
  0::bigint, 'no page outlives its story'
);
select is(
  (select count(*) from internal.page_renders), 11::bigint,
  'only the other parent''s 11 page renders remain'
);
select is(
  (select count(*) from public.generation_jobs), 1::bigint, 'only the other parent''s generation job remains'
);
select is_empty(
  $$select * from internal.photo_upload_attempts where user_id = tests.id('parent')$$, 'their upload attempts are gone'
);
select results_eq(
  'select subject, subject_id, reason, details from internal.deleted_data',
  $$values ('user_data', tests.id('parent'), 'erasure_requested',
            '{"photos": 3, "stories": 2, "upload_attempts": 1, "orders_anonymised": 0}'::jsonb)$$,
  'one record names the user by id and counts what was erased'
);
select results_eq(
  'select s.id, s.photo_id is not null, (select count(*) from public.story_pages p where p.story_id = s.id) from public.stories s',
  $$values (tests.id('others_story'), true, 11::bigint)$$,
  'the other parent keeps their story, its photo and its 11 pages'
);
select is(
  (select count(*) from internal.photo_upload_attempts where user_id = tests.id('other')), 1::bigint,
  'the other parent keeps their upload attempt'
);

select * from finish();
rollback;
