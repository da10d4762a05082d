-- Uploads go through functions that validate and normalise them, so no user writes storage.objects directly:
-- not into their own photos or previews folder, not into pages or books; they cannot rename or delete their
-- objects either (deletes are tried as the Storage API makes them, opted in to row deletes).
begin;
select plan(8);

select tests.remember('owner', tests.create_user('owner@example.com'));
insert into storage.objects (bucket_id, name, owner_id) values
  ('photos', tests.id('owner') || '/photo.jpg', tests.id('owner')),
  ('previews', tests.id('owner') || '/story/0-1.jpg', tests.id('owner'));

select tests.authenticate_as(tests.id('owner'));
select throws_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('photos', auth.uid() || '/mine.jpg', auth.uid())$$,
  '42501', null, 'the owner cannot upload into their own photos folder directly'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('previews', auth.uid() || '/s/0-9.jpg', auth.uid())$$,
  '42501', null, 'the owner cannot upload a preview'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('pages', auth.uid() || '/0/1.jpg', auth.uid())$$,
  '42501', null, 'the owner cannot upload a hi-res page'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name, owner_id) values ('books', auth.uid() || '/book.pdf', auth.uid())$$,
  '42501', null, 'the owner cannot upload a book'
);
select is(
  tests.affected_rows($$update storage.objects set name = name || '.moved'$$),
  0::bigint,
  'the owner cannot rename their objects'
);
select set_config('storage.allow_delete_query', 'true', true);
select is(tests.affected_rows($$delete from storage.objects$$), 0::bigint, 'the owner cannot delete their objects');

select tests.authenticate_as_anon();
select throws_ok(
  format($$insert into storage.objects (bucket_id, name) values ('photos', %L)$$, tests.id('owner') || '/anon.jpg'),
  '42501', null, 'anon cannot upload a photo'
);
select tests.clear_authentication();

select results_eq(
  $$select bucket_id, name from storage.objects where owner_id = tests.id('owner')::text order by bucket_id$$,
  $$values ('photos'::text, tests.id('owner') || '/photo.jpg'), ('previews', tests.id('owner') || '/story/0-1.jpg')$$,
  'the owner''s objects are exactly the two the fixture stored'
);

select * from finish();
rollback;
