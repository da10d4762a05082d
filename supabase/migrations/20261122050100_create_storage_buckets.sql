-- Storage buckets. Every bucket is private: a child's photo and its derivatives are only ever handed out as
-- short-lived signed URLs. Object names start with the owner's user id, which is what the policies check.
--
-- photos    the uploaded photo, normalised          <user_id>/<photo_id>.jpg        owner reads
-- pages     hi-res page images                      <story_id>/<page>/<attempt>.jpg service only
-- previews  watermarked page images (≤ 1024 px)     <user_id>/<story_id>/<page>-<attempt>.jpg   owner reads
-- books     print-ready PDFs                        <story_id>/<file>.pdf           service only

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('photos', 'photos', false, 10 * 1024 * 1024, array['image/jpeg']),
  ('pages', 'pages', false, 20 * 1024 * 1024, array['image/jpeg', 'image/png']),
  ('previews', 'previews', false, 2 * 1024 * 1024, array['image/jpeg']),
  ('books', 'books', false, 200 * 1024 * 1024, array['application/pdf'])
on conflict (id) do update
  set public = excluded.public,
      file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

-- Owners read their own photos and previews; nobody but the service role writes or deletes, since uploads go
-- through functions that validate and normalise them first.
create policy "owners read their photos" on storage.objects for select to authenticated
  using (bucket_id = 'photos' and (storage.foldername(name))[1] = (select auth.uid()::text));

create policy "owners read their previews" on storage.objects for select to authenticated
  using (bucket_id = 'previews' and (storage.foldername(name))[1] = (select auth.uid()::text));
