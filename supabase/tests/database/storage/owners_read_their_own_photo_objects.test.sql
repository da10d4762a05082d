-- In the photos bucket a parent reads the objects under their own folder (<user id>/...) and nothing else;
-- a visitor reads none. The service role reads all of them.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
insert into storage.objects (bucket_id, name, owner_id) values
  ('photos', tests.id('owner') || '/first.jpg', tests.id('owner')),
  ('photos', tests.id('owner') || '/second.jpg', tests.id('owner')),
  ('photos', tests.id('other') || '/theirs.jpg', tests.id('other'));

select tests.authenticate_as(tests.id('owner'));
select set_eq(
  $$select name from storage.objects where bucket_id = 'photos'$$,
  $$values (tests.id('owner') || '/first.jpg'), (tests.id('owner') || '/second.jpg')$$,
  'the owner reads the photos under their own folder and only those'
);

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select name from storage.objects where bucket_id = 'photos' and name like tests.id('owner') || '/%'$$,
  'another user reads none of the owner''s photos'
);
select set_eq(
  $$select name from storage.objects where bucket_id = 'photos'$$,
  $$values (tests.id('other') || '/theirs.jpg')$$,
  'another user reads only their own photo'
);

select tests.authenticate_as_anon();
select is_empty($$select name from storage.objects where bucket_id = 'photos'$$, 'anon reads no photo object');

select tests.authenticate_as_service();
select is(
  (select count(*) from storage.objects where bucket_id = 'photos'),
  3::bigint,
  'the service role reads every photo object'
);
select tests.clear_authentication();

select * from finish();
rollback;
