-- The pages bucket (hi-res images) and the books bucket (print PDFs) are the service role's only: the owner of
-- the story cannot read them, not even an object that happens to sit under a folder named after them.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
insert into storage.objects (bucket_id, name, owner_id) values
  ('pages', tests.id('story') || '/0/1.jpg', null),
  ('pages', tests.id('owner') || '/' || tests.id('story') || '/1/1.jpg', tests.id('owner')),
  ('books', tests.id('story') || '/book.pdf', null),
  ('books', tests.id('owner') || '/book.pdf', tests.id('owner'));

select tests.authenticate_as(tests.id('owner'));
select is_empty($$select name from storage.objects where bucket_id = 'pages'$$, 'the owner reads no hi-res page object');
select is_empty($$select name from storage.objects where bucket_id = 'books'$$, 'the owner reads no book object');

select tests.authenticate_as(tests.id('other'));
select is_empty(
  $$select name from storage.objects where bucket_id in ('pages', 'books')$$,
  'another user reads no hi-res page or book object'
);

select tests.authenticate_as_anon();
select is_empty($$select name from storage.objects where bucket_id in ('pages', 'books')$$, 'anon reads no hi-res page or book object');

select tests.authenticate_as_service();
select is((select count(*) from storage.objects where bucket_id = 'pages'), 2::bigint, 'the service role reads the hi-res pages');
select is((select count(*) from storage.objects where bucket_id = 'books'), 2::bigint, 'the service role reads the books');
select tests.clear_authentication();

select * from finish();
rollback;
