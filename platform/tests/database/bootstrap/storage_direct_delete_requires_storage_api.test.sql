-- Plain SQL deletes from storage.objects/storage.buckets would orphan the stored files, so they are refused
-- unless the transaction opted in with storage.allow_delete_query (the Storage API does on every request).
begin;
select plan(7);

insert into storage.buckets (id, name) values ('bootstrap-test-delete', 'bootstrap-test-delete');
insert into storage.objects (bucket_id, name) values ('bootstrap-test-delete', 'u1/a.png'), ('bootstrap-test-delete', 'u1/b.png');

select throws_ok(
  $$delete from storage.objects where bucket_id = 'bootstrap-test-delete'$$,
  '42501', null,
  'a direct delete from storage.objects is refused'
);
select throws_like(
  $$delete from storage.objects where bucket_id = 'bootstrap-test-delete'$$,
  '%Storage API%',
  'the refusal tells the reader to use the Storage API'
);
select throws_ok(
  $$delete from storage.buckets where id = 'bootstrap-test-delete'$$,
  '42501', null,
  'a direct delete from storage.buckets is refused'
);

set local storage.allow_delete_query = 'false';
select throws_ok(
  $$delete from storage.objects where bucket_id = 'bootstrap-test-delete'$$,
  '42501', null,
  'any value other than ''true'' still refuses'
);

set local storage.allow_delete_query = 'true';
select lives_ok(
  $$delete from storage.objects where bucket_id = 'bootstrap-test-delete'$$,
  'with storage.allow_delete_query = true objects can be deleted'
);
select is(
  (select count(*) from storage.objects where bucket_id = 'bootstrap-test-delete'),
  0::bigint,
  'the objects are gone'
);
select lives_ok(
  $$delete from storage.buckets where id = 'bootstrap-test-delete'$$,
  'with storage.allow_delete_query = true an empty bucket can be deleted'
);

select * from finish();
rollback;
