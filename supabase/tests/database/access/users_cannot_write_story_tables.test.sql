-- Only the pipeline writes the story tables: neither the owner nor a visitor can insert, update or delete a row
-- of themes, photos, stories, story pages or generation jobs. The API roles hold the table grants Supabase gives
-- by default, so it is row level security (no write policies) that refuses: inserts fail, updates and deletes
-- touch no row.
begin;
select plan(32);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('photo', (select photo_id from public.stories where id = tests.id('story')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.remember('job', tests.job_id(tests.id('story')));

create temporary table rows_before on commit drop as
  select 'themes' as table_name, md5(string_agg(t::text, ',' order by t.id)) as digest from public.themes t
  union all select 'photos', md5(string_agg(p::text, ',' order by p.id)) from public.photos p
  union all select 'stories', md5(string_agg(s::text, ',' order by s.id)) from public.stories s
  union all select 'story_pages', md5(string_agg(sp::text, ',' order by sp.id)) from public.story_pages sp
  union all select 'generation_jobs', md5(string_agg(j::text, ',' order by j.id)) from public.generation_jobs j;

-- as the owner
select tests.authenticate_as(tests.id('owner'));
select throws_ok(
  $$insert into public.themes (id, title, description, min_age, max_age) values ('my_theme', 'Mine', 'Mine', 3, 8)$$,
  '42501', null, 'the owner cannot insert a theme'
);
select is(tests.affected_rows($$update public.themes set title = 'Changed'$$), 0::bigint, 'the owner cannot update a theme');
select is(tests.affected_rows($$delete from public.themes$$), 0::bigint, 'the owner cannot delete a theme');

select throws_ok(
  $$insert into public.photos (user_id, storage_path, width, height, face_box, face_confidence)
    values (auth.uid(), auth.uid() || '/mine.jpg', 10, 10, '{}', 1)$$,
  '42501', null, 'the owner cannot insert a photo row'
);
select is(tests.affected_rows($$update public.photos set face_confidence = 0$$), 0::bigint, 'the owner cannot update their photo row');
select is(tests.affected_rows($$delete from public.photos$$), 0::bigint, 'the owner cannot delete their photo row');

select throws_ok(
  $$insert into public.stories (user_id, theme_id, style, child_name, child_age, pronouns, title)
    values (auth.uid(), 'enchanted_forest', 'cartoon_3d', 'Mia', 5, 'she', 'Mine')$$,
  '42501', null, 'the owner cannot insert a story'
);
select is(
  tests.affected_rows($$update public.stories set purchased_at = now(), expires_at = now() + interval '10 years'$$),
  0::bigint, 'the owner cannot update their story (e.g. mark it bought)'
);
select is(tests.affected_rows($$delete from public.stories$$), 0::bigint, 'the owner cannot delete their story');

select throws_ok(
  format(
    $$insert into public.story_pages (story_id, page_number, body_text, seed) values (%L, 0, 'mine', 1)$$,
    tests.id('story')
  ),
  '42501', null, 'the owner cannot insert a page'
);
select is(
  tests.affected_rows($$update public.story_pages set is_locked = false, status = 'done', preview_path = 'x'$$),
  0::bigint, 'the owner cannot update their pages (e.g. unlock them)'
);
select is(tests.affected_rows($$delete from public.story_pages$$), 0::bigint, 'the owner cannot delete their pages');

select throws_ok(
  format($$insert into public.generation_jobs (story_id, kind, total_pages) values (%L, 'print', 24)$$, tests.id('story')),
  '42501', null, 'the owner cannot insert a job'
);
select is(
  tests.affected_rows($$update public.generation_jobs set status = 'completed', pages_completed = 6$$),
  0::bigint, 'the owner cannot update their job'
);
select is(tests.affected_rows($$delete from public.generation_jobs$$), 0::bigint, 'the owner cannot delete their job');

-- as a visitor
select tests.authenticate_as_anon();
select throws_ok(
  $$insert into public.themes (id, title, description, min_age, max_age) values ('anon_theme', 'Anon', 'Anon', 3, 8)$$,
  '42501', null, 'anon cannot insert a theme'
);
select is(tests.affected_rows($$update public.themes set is_active = false$$), 0::bigint, 'anon cannot update a theme');
select is(tests.affected_rows($$delete from public.themes$$), 0::bigint, 'anon cannot delete a theme');
select throws_ok(
  format(
    $$insert into public.photos (user_id, storage_path, width, height, face_box, face_confidence)
      values (%L, 'anon.jpg', 10, 10, '{}', 1)$$,
    tests.id('owner')
  ),
  '42501', null, 'anon cannot insert a photo row'
);
select is(tests.affected_rows($$update public.photos set face_confidence = 0$$), 0::bigint, 'anon cannot update a photo row');
select is(tests.affected_rows($$delete from public.photos$$), 0::bigint, 'anon cannot delete a photo row');
select throws_ok(
  format(
    $$insert into public.stories (user_id, theme_id, style, child_name, child_age, pronouns, title)
      values (%L, 'enchanted_forest', 'cartoon_3d', 'Mia', 5, 'she', 'Anon')$$,
    tests.id('owner')
  ),
  '42501', null, 'anon cannot insert a story'
);
select is(tests.affected_rows($$update public.stories set title = 'Anon'$$), 0::bigint, 'anon cannot update a story');
select is(tests.affected_rows($$delete from public.stories$$), 0::bigint, 'anon cannot delete a story');
select throws_ok(
  format($$insert into public.story_pages (story_id, page_number, body_text, seed) values (%L, 0, 'anon', 1)$$, tests.id('story')),
  '42501', null, 'anon cannot insert a page'
);
select is(tests.affected_rows($$update public.story_pages set body_text = 'anon'$$), 0::bigint, 'anon cannot update a page');
select is(tests.affected_rows($$delete from public.story_pages$$), 0::bigint, 'anon cannot delete a page');
select throws_ok(
  format($$insert into public.generation_jobs (story_id, kind, total_pages) values (%L, 'print', 24)$$, tests.id('story')),
  '42501', null, 'anon cannot insert a job'
);
select is(tests.affected_rows($$update public.generation_jobs set error = 'anon'$$), 0::bigint, 'anon cannot update a job');
select is(tests.affected_rows($$delete from public.generation_jobs$$), 0::bigint, 'anon cannot delete a job');
select tests.clear_authentication();

-- and nothing moved
select set_eq(
  $$select 'themes', md5(string_agg(t::text, ',' order by t.id)) from public.themes t
    union all select 'photos', md5(string_agg(p::text, ',' order by p.id)) from public.photos p
    union all select 'stories', md5(string_agg(s::text, ',' order by s.id)) from public.stories s
    union all select 'story_pages', md5(string_agg(sp::text, ',' order by sp.id)) from public.story_pages sp
    union all select 'generation_jobs', md5(string_agg(j::text, ',' order by j.id)) from public.generation_jobs j$$,
  'select table_name, digest from rows_before',
  'every row of the five tables is as it was'
);
select ok(
  (select count(*) from public.story_pages where story_id = tests.id('story')) = 11
    and exists (select 1 from public.photos where id = tests.id('photo'))
    and exists (select 1 from public.generation_jobs where id = tests.id('job'))
    and exists (select 1 from public.story_pages where id = tests.id('cover') and status = 'queued'),
  'the fixture rows the refused writes aimed at are all still there'
);

select * from finish();
rollback;
