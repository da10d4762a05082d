-- A child's photo row is visible to the parent who uploaded it and to no one else: not another parent, not a
-- visitor. The service role (the upload function) sees all of them.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('owner_photo', tests.create_photo(tests.id('owner')));
select tests.remember('other_photo', tests.create_photo(tests.id('other')));

select tests.authenticate_as(tests.id('owner'));
select results_eq(
  'select id from public.photos',
  $$select tests.id('owner_photo')$$,
  'the owner reads their own photo and only that'
);

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select id from public.photos where id = tests.id('owner_photo')$$,
  'another user does not read the owner''s photo'
);
select results_eq('select id from public.photos', $$select tests.id('other_photo')$$, 'another user reads only their own photo');

select tests.authenticate_as_anon();
select is_empty('select id from public.photos', 'anon reads no photo');

select tests.authenticate_as_service();
select set_eq(
  'select id from public.photos',
  $$values (tests.id('owner_photo')), (tests.id('other_photo'))$$,
  'the service role reads every photo'
);
select tests.clear_authentication();

select * from finish();
rollback;
