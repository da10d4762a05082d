-- storage.foldername/filename/extension are what storage policies are written with, e.g.
-- (storage.foldername(name))[1] = (select auth.uid()::text).
begin;
select plan(10);

select is(storage.foldername('user-1/books/cover.png'), array['user-1', 'books'], 'foldername returns every folder segment');
select is(storage.foldername('cover.png'), '{}'::text[], 'a name without folders has no folder segments');
select is((storage.foldername('user-1/cover.png'))[1], 'user-1', 'the first folder is the usual owner segment');
select is(storage.filename('user-1/books/cover.png'), 'cover.png', 'filename returns the last segment');
select is(storage.filename('cover.png'), 'cover.png', 'filename of a bare name is the name');
select is(storage.extension('user-1/books/cover.png'), 'png', 'extension returns what follows the last dot');
select is(storage.extension('user-1/archive.tar.gz'), 'gz', 'only the last extension counts');
select is(storage.extension('user-1.d/README'), 'README', 'a file without a dot yields its whole name, as hosted');
select is(
  (select pg_catalog.array_agg(distinct provolatile)
   from pg_catalog.pg_proc
   where oid in ('storage.foldername(text)'::regprocedure, 'storage.filename(text)'::regprocedure,
                 'storage.extension(text)'::regprocedure)),
  array['i'::"char"],
  'the path helpers are immutable (usable in indexes and cheap in policies)'
);

set local role authenticated;
select is(storage.filename('a/b'), 'b', 'authenticated can call the helpers');

select * from finish();
rollback;
