-- In the previews bucket (watermarked pages, <user id>/<story id>/<page>-<attempt>.jpg) a parent reads the
-- objects of their own stories and nothing else; a visitor reads none.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('owner_story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('other')));
insert into storage.objects (bucket_id, name, owner_id) values
  ('previews', tests.id('owner') || '/' || tests.id('owner_story') || '/0-1.jpg', null),
  ('previews', tests.id('owner') || '/' || tests.id('owner_story') || '/1-1.jpg', null),
  ('previews', tests.id('other') || '/' || tests.id('other_story') || '/0-1.jpg', null);

select tests.authenticate_as(tests.id('owner'));
select set_eq(
  $$select name from storage.objects where bucket_id = 'previews'$$,
  $$values (tests.id('owner') || '/' || tests.id('owner_story') || '/0-1.jpg'),
           (tests.id('owner') || '/' || tests.id('owner_story') || '/1-1.jpg')$$,
  'the owner reads the previews of their own story and only those'
);

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select name from storage.objects where bucket_id = 'previews' and name like '%' || tests.id('owner_story') || '%'$$,
  'another user reads none of the owner''s previews'
);
select set_eq(
  $$select name from storage.objects where bucket_id = 'previews'$$,
  $$values (tests.id('other') || '/' || tests.id('other_story') || '/0-1.jpg')$$,
  'another user reads only their own preview'
);

select tests.authenticate_as_anon();
select is_empty($$select name from storage.objects where bucket_id = 'previews'$$, 'anon reads no preview object');

select tests.authenticate_as_service();
select is(
  (select count(*) from storage.objects where bucket_id = 'previews'),
  3::bigint,
  'the service role reads every preview object'
);
select tests.clear_authentication();

select * from finish();
rollback;
