-- A migration (as postgres, not the owner of storage.objects) creates a bucket and owner-folder policies;
-- they then decide what each signed-in user sees and may upload.
begin;
select plan(8);

select lives_ok(
  $$insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
    values ('bootstrap-test-photos', 'bootstrap-test-photos', false, 10485760, array['image/png', 'image/jpeg'])$$,
  'postgres can insert a bucket'
);

select lives_ok(
  $$create policy "bootstrap test: read own photos" on storage.objects for select to authenticated
    using (bucket_id = 'bootstrap-test-photos' and (storage.foldername(name))[1] = (select auth.uid()::text))$$,
  'postgres can create a select policy on storage.objects'
);
select lives_ok(
  $$create policy "bootstrap test: upload own photos" on storage.objects for insert to authenticated
    with check (bucket_id = 'bootstrap-test-photos' and (storage.foldername(name))[1] = (select auth.uid()::text))$$,
  'postgres can create an insert policy on storage.objects'
);

insert into storage.objects (bucket_id, name, owner_id) values
  ('bootstrap-test-photos', '11111111-1111-4111-8111-111111111111/a.png', '11111111-1111-4111-8111-111111111111'),
  ('bootstrap-test-photos', '11111111-1111-4111-8111-111111111111/b.png', '11111111-1111-4111-8111-111111111111'),
  ('bootstrap-test-photos', '22222222-2222-4222-8222-222222222222/c.png', '22222222-2222-4222-8222-222222222222');

set local role authenticated;
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select set_eq(
  $$select name from storage.objects$$,
  array['11111111-1111-4111-8111-111111111111/a.png', '11111111-1111-4111-8111-111111111111/b.png'],
  'user A sees only the objects in their own folder'
);
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('bootstrap-test-photos', '11111111-1111-4111-8111-111111111111/new.png')$$,
  'user A can upload into their own folder'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('bootstrap-test-photos', '22222222-2222-4222-8222-222222222222/evil.png')$$,
  '42501', null,
  'user A cannot upload into user B''s folder'
);
select is_empty($$select id from storage.buckets$$, 'without a bucket policy authenticated sees no buckets');

reset role;
set local role anon;
select is_empty($$select id from storage.objects$$, 'anon sees no objects when no policy grants it');

select * from finish();
rollback;
