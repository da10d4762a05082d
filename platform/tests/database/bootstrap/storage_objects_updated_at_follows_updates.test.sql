-- storage.objects.updated_at moves on every update (the Storage API relies on it for upserts and listings).
begin;
select plan(2);

insert into storage.buckets (id, name) values ('bootstrap-test-touch', 'bootstrap-test-touch');
insert into storage.objects (bucket_id, name, created_at, updated_at)
values ('bootstrap-test-touch', 'u/a.png', '2001-01-01', '2001-01-01');

update storage.objects set metadata = '{"size": 1}' where bucket_id = 'bootstrap-test-touch';

select is(
  (select updated_at from storage.objects where bucket_id = 'bootstrap-test-touch'),
  now(),
  'an update sets updated_at to the time of the updating transaction'
);
select is(
  (select created_at from storage.objects where bucket_id = 'bootstrap-test-touch'),
  '2001-01-01'::timestamptz,
  'created_at is left alone'
);

select * from finish();
rollback;
