-- The life of a child's photo in the database: how often a parent may upload one, when it is deleted, and how a
-- parent erases everything of theirs.
--
-- public.photos.face_area_percent  how much of the photo the detected face covers (upload-photo fills it)
-- public.stories.delivered_at      when the book's download link was emailed (the delivery step sets it)
-- internal.photo_settings          the limits below, one row an operator updates
-- internal.photo_upload_attempts   recent upload attempts per user: the sliding window of the rate limit
-- internal.photo_retention         each photo and why it may be deleted now (null while a story needs it)
-- internal.deleted_data            what retention and erasure deleted: ids and counts, never names
--
-- Storage objects are deleted through the Storage API (the storage schema refuses direct deletes), so the
-- maintenance and erase-data functions pair the functions here with removing the matching objects.
-- Every function runs as its caller, postgres (the functions' database URL, cron); no API role executes them.

-- ---------------------------------------------------------------------------------------------------------
-- Columns of the photo and the story
-- ---------------------------------------------------------------------------------------------------------
-- A developer database may already hold photos: they get 0, and new rows must say it (no default).
alter table public.photos
  add column face_area_percent real not null default 0
    constraint face_area_percent_range check (face_area_percent between 0 and 100);
alter table public.photos alter column face_area_percent drop default;
comment on column public.photos.face_area_percent is 'Share of the image area covered by the largest detected face, 0–100; upload-photo refuses a face under 10 %.';

-- The retention sweep scans photos oldest first and looks up each photo's stories.
create index photos_created_at_idx on public.photos (created_at);
create index stories_photo_id_idx on public.stories (photo_id);

alter table public.stories add column delivered_at timestamptz;
comment on column public.stories.delivered_at is 'When the finished book''s download link was emailed to the parent (set by the delivery step). The photo is kept for retention_days_after_delivery after it, then deleted.';

-- ---------------------------------------------------------------------------------------------------------
-- Settings
-- ---------------------------------------------------------------------------------------------------------
create table internal.photo_settings (
  singleton boolean primary key default true constraint one_settings_row check (singleton),
  -- The rate limit: at most this many upload attempts per user in a sliding window, whatever their outcome
  -- (face detection costs CPU either way).
  uploads_per_window integer not null default 20 constraint uploads_per_window_positive check (uploads_per_window > 0),
  upload_window_seconds integer not null default 3600 constraint upload_window_positive check (upload_window_seconds > 0),
  -- A delivered book's photo is deleted this many days after delivery (the issue's N).
  retention_days_after_delivery integer not null default 30
    constraint retention_days_not_negative check (retention_days_after_delivery >= 0),
  -- A photo no preview was ever made from is deleted this many hours after its upload.
  unused_photo_retention_hours integer not null default 24
    constraint unused_retention_not_negative check (unused_photo_retention_hours >= 0)
);
insert into internal.photo_settings default values;
alter table internal.photo_settings enable row level security;
comment on table internal.photo_settings is 'Upload rate limit and photo retention, one row. Operators change it with an UPDATE, e.g. `update internal.photo_settings set retention_days_after_delivery = 60;`; it takes effect at the next upload or sweep.';

-- ---------------------------------------------------------------------------------------------------------
-- Upload rate limit
-- ---------------------------------------------------------------------------------------------------------
create table internal.photo_upload_attempts (
  user_id uuid not null references auth.users (id) on delete cascade,
  attempted_at timestamptz not null default now()
);
create index photo_upload_attempts_user_id_attempted_at_idx on internal.photo_upload_attempts (user_id, attempted_at);
alter table internal.photo_upload_attempts enable row level security;
comment on table internal.photo_upload_attempts is 'Upload attempts within the rate limit''s window, per user; older ones are deleted as they leave it.';

create function internal.admit_photo_upload(p_user_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  settings internal.photo_settings;
  window_length interval;
  attempts_in_window integer;
  oldest_attempt timestamptz;
begin
  select * into settings from internal.photo_settings;
  window_length := pg_catalog.make_interval(secs => settings.upload_window_seconds);
  -- Serialise one user's uploads so two at once cannot both take the last slot. The two-key form keeps this
  -- lock apart from create_preview's one-key lock on the same user.
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtext('internal.admit_photo_upload'), pg_catalog.hashtext(p_user_id::text)
  );
  delete from internal.photo_upload_attempts a
   where a.user_id = p_user_id and a.attempted_at <= now() - window_length;
  select count(*), min(a.attempted_at) into attempts_in_window, oldest_attempt
    from internal.photo_upload_attempts a
   where a.user_id = p_user_id;
  if attempts_in_window >= settings.uploads_per_window then
    -- Refused attempts are not recorded: a client retrying too early does not push its own window further.
    return greatest(1, ceil(extract(epoch from oldest_attempt + window_length - now())))::integer;
  end if;
  insert into internal.photo_upload_attempts (user_id) values (p_user_id);
  return 0;
end;
$$;
comment on function internal.admit_photo_upload(uuid) is 'Admits one photo upload of the user under the rate limit and records it: 0 when admitted, else the seconds until a slot frees up (for Retry-After). Every admitted attempt counts, whatever the upload''s outcome. Call it in its own transaction, before decoding the image.';

create function internal.prune_photo_upload_attempts()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  pruned integer;
begin
  -- admit_photo_upload prunes only its own user's attempts; this removes those of users who did not come back.
  delete from internal.photo_upload_attempts a
   using internal.photo_settings settings
   where a.attempted_at <= now() - pg_catalog.make_interval(secs => settings.upload_window_seconds);
  get diagnostics pruned = row_count;
  return pruned;
end;
$$;
comment on function internal.prune_photo_upload_attempts() is 'Deletes every upload attempt that has left the rate limit''s window; returns how many. Run by the purge sweep.';

-- ---------------------------------------------------------------------------------------------------------
-- What was deleted
-- ---------------------------------------------------------------------------------------------------------
create table internal.deleted_data (
  id bigint generated always as identity primary key,
  subject text not null constraint deleted_data_subject check (subject in ('photo', 'user_data')),
  -- The photo's id, or the user's id for an erasure. Never a name or an e-mail address.
  subject_id uuid not null,
  reason text not null constraint deleted_data_reason
    check (reason in ('preview_expired', 'book_delivered', 'never_used', 'erasure_requested')),
  -- Counts only, e.g. {"photos": 2, "stories": 3}.
  details jsonb not null default '{}' constraint deleted_data_details_is_object check (jsonb_typeof(details) = 'object'),
  deleted_at timestamptz not null default now()
);
create index deleted_data_subject_id_idx on internal.deleted_data (subject_id);
alter table internal.deleted_data enable row level security;
comment on table internal.deleted_data is 'The record of what retention and erasure deleted, and why: ids and counts, never personal data.';

-- ---------------------------------------------------------------------------------------------------------
-- Retention
-- ---------------------------------------------------------------------------------------------------------
-- A story needs its photo until it is an expired preview or its book was delivered more than
-- retention_days_after_delivery ago. A bought book not yet delivered keeps it (its print pages are drawn from
-- it), and so does a preview still in its 7 days, a failed one included (the parent may retry it).
create view internal.photo_retention
with (security_invoker = true)
as
select p.id as photo_id,
       p.user_id,
       p.storage_path,
       p.created_at,
       case
         when uses.stories = 0 then
           case when p.created_at <= now() - pg_catalog.make_interval(hours => settings.unused_photo_retention_hours)
                then 'never_used' end
         when uses.needing > 0 then null
         when uses.delivered_long_ago > 0 then 'book_delivered'
         else 'preview_expired'
       end as reason
  from public.photos p
 cross join internal.photo_settings settings
 cross join lateral (
   select count(*) as stories,
          count(*) filter (
            where s.status <> 'expired'
              and (s.delivered_at is null
                   or s.delivered_at > now() - pg_catalog.make_interval(days => settings.retention_days_after_delivery))
          ) as needing,
          count(*) filter (
            where s.delivered_at <= now() - pg_catalog.make_interval(days => settings.retention_days_after_delivery)
          ) as delivered_long_ago
     from public.stories s
    where s.photo_id = p.id
 ) uses;
comment on view internal.photo_retention is 'Every photo with the reason it may be deleted now (preview_expired, book_delivered, never_used), or null while a story still needs it.';

create function internal.photos_due_for_deletion(p_limit integer)
returns table (photo_id uuid, user_id uuid, storage_path text, reason text)
language sql
stable
set search_path = ''
as $$
  select r.photo_id, r.user_id, r.storage_path, r.reason
    from internal.photo_retention r
   where r.reason is not null
   order by r.created_at, r.photo_id
   limit p_limit
$$;
comment on function internal.photos_due_for_deletion(integer) is 'The oldest photos no story needs any more, with why: preview_expired, book_delivered or never_used.';

create function internal.forget_photos(p_photo_ids uuid[])
returns table (photo_id uuid, storage_path text, reason text)
language plpgsql
set search_path = ''
as $$
begin
  -- Lock the rows first: a preview being created from one of them holds a key-share lock on it until it
  -- commits, so this waits for it, and the check below (a new statement, a new snapshot) sees its story.
  -- From here on a new preview from these photos waits for this transaction instead.
  perform 1 from public.photos p where p.id = any(p_photo_ids) order by p.id for update;

  return query
  with due as (
    select r.photo_id, r.storage_path, r.reason
      from internal.photo_retention r
     where r.photo_id = any(p_photo_ids) and r.reason is not null
  ),
  deleted as (
    -- The photo's stories stay (stories.photo_id is set null); the photo's storage object is removed by the
    -- caller afterwards.
    delete from public.photos p using due where p.id = due.photo_id
    returning p.id, p.storage_path, due.reason
  ),
  recorded as (
    insert into internal.deleted_data (subject, subject_id, reason, details)
    select 'photo', d.id, d.reason,
           jsonb_build_object('stories', (select count(*) from public.stories s where s.photo_id = d.id))
      from deleted d
  )
  select d.id, d.storage_path, d.reason from deleted d;
end;
$$;
comment on function internal.forget_photos(uuid[]) is 'Deletes those of the given photos that are still due (a photo needed again since it was selected is kept) and records each in internal.deleted_data; returns the deleted photos, whose storage objects the caller then removes.';

create function internal.orphaned_photo_objects(p_limit integer)
returns table (path text)
language sql
stable
set search_path = ''
as $$
  -- upload-photo stores an object and its row within one request (150 s at most), so an object older than an
  -- hour without a row is a leftover: of a forgotten photo whose removal did not happen, or of a failed upload.
  select o.name
    from storage.objects o
   where o.bucket_id = 'photos'
     and o.created_at <= now() - interval '1 hour'
     and not exists (select 1 from public.photos p where p.storage_path = o.name)
   order by o.created_at, o.name
   limit p_limit
$$;
comment on function internal.orphaned_photo_objects(integer) is 'Objects of the photos bucket older than an hour that no photo row names: the purge sweep removes them.';

-- ---------------------------------------------------------------------------------------------------------
-- Erasure
-- ---------------------------------------------------------------------------------------------------------
create function internal.user_storage_objects(p_user_id uuid)
returns table (bucket text, path text)
language sql
stable
set search_path = ''
as $$
  -- photos, previews and books are foldered by user, pages by story (see the buckets' migration).
  select o.bucket_id, o.name
    from storage.objects o
   where o.bucket_id in ('photos', 'previews', 'books') and o.name like p_user_id::text || '/%'
  union all
  select o.bucket_id, o.name
    from public.stories s
    join storage.objects o on o.bucket_id = 'pages' and o.name like s.id::text || '/%'
   where s.user_id = p_user_id
$$;
comment on function internal.user_storage_objects(uuid) is 'Every storage object of the user: photos, previews and books under <user id>/, pages under <story id>/ of their stories.';

create function internal.erase_user_data(p_user_id uuid)
returns table (photos integer, stories integer)
language plpgsql
set search_path = ''
as $$
declare
  stories_deleted integer;
  photos_deleted integer;
  attempts_deleted integer;
begin
  -- The per-user lock internal.create_preview takes: a preview being created now either commits first (and its
  -- story is deleted below) or waits and then fails on its deleted photo; it never outlives the erasure.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_user_id::text, 0));
  -- The photos next, in id order as forget_photos locks them. The sweep, once it holds a photo, updates that
  -- photo's stories (photo_id set null); were the stories deleted here first, the two would each hold what
  -- the other waits for. Locked first, the sweep simply waits for the erasure, or the erasure for the sweep.
  perform 1 from public.photos p where p.user_id = p_user_id order by p.id for update;
  -- Pages, their renders and the generation jobs go with the stories (on delete cascade). A page task still in
  -- the queue is dropped by claim_page, which finds its page missing.
  delete from public.stories s where s.user_id = p_user_id;
  get diagnostics stories_deleted = row_count;
  delete from public.photos p where p.user_id = p_user_id;
  get diagnostics photos_deleted = row_count;
  delete from internal.photo_upload_attempts a where a.user_id = p_user_id;
  get diagnostics attempts_deleted = row_count;
  -- Issue 7: anonymise the user's orders here (kept for accounting).

  if stories_deleted + photos_deleted + attempts_deleted > 0 then
    insert into internal.deleted_data (subject, subject_id, reason, details)
    values ('user_data', p_user_id, 'erasure_requested',
            jsonb_build_object('photos', photos_deleted, 'stories', stories_deleted, 'upload_attempts', attempts_deleted));
  end if;
  return query select photos_deleted, stories_deleted;
end;
$$;
comment on function internal.erase_user_data(uuid) is 'Deletes every row of the user''s data (stories with their pages and jobs, photos, upload attempts) and records the erasure once; call it after removing internal.user_storage_objects. Idempotent: a second call deletes and records nothing.';

-- Called as postgres (the owner) by the functions and cron; no API role may execute them.
revoke all on function internal.admit_photo_upload(uuid), internal.prune_photo_upload_attempts(),
  internal.photos_due_for_deletion(integer), internal.forget_photos(uuid[]), internal.orphaned_photo_objects(integer),
  internal.user_storage_objects(uuid), internal.erase_user_data(uuid)
  from public;

-- ---------------------------------------------------------------------------------------------------------
-- The hourly sweep: pg_cron calls the maintenance function (through pg_net, with the service key from vault),
-- which deletes the due photos (forget_photos), then their objects and any other orphaned photo object.
-- ---------------------------------------------------------------------------------------------------------
select cron.schedule(
  'purge-photos',
  '41 * * * *',
  $$
  select net.http_post(
    url => internal.secret('project_url') || '/functions/v1/maintenance',
    body => '{"task": "purge_photos"}'::jsonb,
    headers => jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || internal.secret('service_role_key')
    ),
    timeout_milliseconds => 120000
  );
  $$
);
