-- A story (the preview) is visible to its owner only; another parent and a visitor see nothing of it. The
-- service role (the previews API) sees every story.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('owner_story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('other')));

select tests.authenticate_as(tests.id('owner'));
select results_eq('select id from public.stories', $$select tests.id('owner_story')$$, 'the owner reads their own story and only that');

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select id from public.stories where id = tests.id('owner_story')$$,
  'another user does not read the owner''s story'
);
select results_eq('select id from public.stories', $$select tests.id('other_story')$$, 'another user reads only their own story');

select tests.authenticate_as_anon();
select is_empty('select id from public.stories', 'anon reads no story');

select tests.authenticate_as_service();
select set_eq(
  'select id from public.stories',
  $$values (tests.id('owner_story')), (tests.id('other_story'))$$,
  'the service role reads every story'
);
select tests.clear_authentication();

select * from finish();
rollback;
