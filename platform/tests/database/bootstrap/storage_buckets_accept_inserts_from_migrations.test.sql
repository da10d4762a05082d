-- `insert into storage.buckets (...)` in a migration produces the hosted defaults; limits are stored for the
-- Storage HTTP layer to enforce.
begin;
select plan(5);

insert into storage.buckets (id, name, file_size_limit, allowed_mime_types)
values ('bootstrap-test-books', 'bootstrap-test-books', 5242880, array['image/webp']);

select results_eq(
  $$select public, type::text, file_size_limit, allowed_mime_types from storage.buckets where id = 'bootstrap-test-books'$$,
  $$values (false, 'STANDARD', 5242880::bigint, array['image/webp'])$$,
  'a bucket is private and STANDARD by default and keeps its limits'
);
select is(
  (select created_at from storage.buckets where id = 'bootstrap-test-books'),
  now(),
  'created_at defaults to now()'
);
select throws_ok(
  $$insert into storage.buckets (id, name) values ('bootstrap-test-books-2', 'bootstrap-test-books')$$,
  '23505', null,
  'bucket names are unique'
);
select throws_ok(
  $$insert into storage.buckets (id, name) values ('bootstrap-test-long', repeat('x', 101))$$,
  '22001', null,
  'bucket names longer than 100 characters are refused'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('bootstrap-test-missing', 'a.png')$$,
  '23503', null,
  'an object needs an existing bucket'
);

select * from finish();
rollback;
