-- A story's generation job (progress, current step, the error shown to the parent) is visible to the story's
-- owner only.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('owner_story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('other')));
select tests.remember('owner_job', tests.job_id(tests.id('owner_story')));

select tests.authenticate_as(tests.id('owner'));
select results_eq(
  'select id from public.generation_jobs',
  $$select tests.id('owner_job')$$,
  'the owner reads the job of their own story and only that'
);

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select id from public.generation_jobs where story_id = tests.id('owner_story')$$,
  'another user does not read the owner''s job'
);
select results_eq(
  'select story_id from public.generation_jobs',
  $$select tests.id('other_story')$$,
  'another user reads only the job of their own story'
);

select tests.authenticate_as_anon();
select is_empty('select id from public.generation_jobs', 'anon reads no job');

select tests.authenticate_as_service();
select is(
  (select count(*) from public.generation_jobs where story_id in (tests.id('owner_story'), tests.id('other_story'))),
  2::bigint,
  'the service role reads every job'
);
select tests.clear_authentication();

select * from finish();
rollback;
