-- Creating a preview, telling its owner how it goes (Realtime broadcast on the private topic story:<id>), and
-- expiring it after 7 days.

-- ---------------------------------------------------------------------------------------------------------
-- Creating a preview
-- ---------------------------------------------------------------------------------------------------------
create function internal.create_preview(
  p_user_id uuid,
  p_photo_id uuid,
  p_theme_id text,
  p_style public.art_style,
  p_child_name text,
  p_child_age smallint,
  p_pronouns public.pronouns,
  p_dedication text,
  p_title text,
  -- [{"page_number": 0..10, "body_text": "..."}]: the personalised text of the cover and the ten pages.
  p_pages jsonb
)
returns table (story_id uuid, job_id uuid)
language plpgsql
set search_path = ''
as $$
declare
  active_generations integer;
  new_story_id uuid;
  new_job_id uuid;
  cover_id uuid;
begin
  if not exists (select 1 from public.photos where id = p_photo_id and user_id = p_user_id) then
    raise exception 'photo % not found', p_photo_id using errcode = 'TC404', hint = 'photo';
  end if;
  if not exists (select 1 from public.themes where id = p_theme_id and is_active) then
    raise exception 'theme % not found', p_theme_id using errcode = 'TC404', hint = 'theme';
  end if;
  if (select count(*) from jsonb_array_elements(p_pages)) <> 11 then
    raise exception 'a story has a cover and 10 pages' using errcode = '22023';
  end if;

  -- Serialise one user's requests so two at once cannot both pass the limit.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_user_id::text, 0));
  select count(*) into active_generations
    from public.generation_jobs j join public.stories s on s.id = j.story_id
   where s.user_id = p_user_id and j.status in ('queued', 'processing');
  if active_generations >= 3 then
    raise exception 'too many active generations' using errcode = 'TC429';
  end if;

  insert into public.stories (user_id, photo_id, theme_id, style, child_name, child_age, pronouns, dedication, title)
  values (p_user_id, p_photo_id, p_theme_id, p_style, p_child_name, p_child_age, p_pronouns, p_dedication, p_title)
  returning id into new_story_id;

  -- A preview draws the cover and pages 1–5; pages 6–10 are locked until the book is bought.
  insert into public.generation_jobs (story_id, kind, total_pages)
  values (new_story_id, 'preview', 6)
  returning id into new_job_id;

  insert into public.story_pages (story_id, page_number, body_text, is_locked, seed)
  select new_story_id, (page ->> 'page_number')::smallint, page ->> 'body_text',
         (page ->> 'page_number')::smallint > 5,
         -- Deterministic per story and page, so a retry draws the same scene.
         pg_catalog.hashtextextended(new_story_id::text || ':' || (page ->> 'page_number'), 0) & 2147483647
    from jsonb_array_elements(p_pages) as page;
  insert into internal.page_renders (page_id)
  select id from public.story_pages where story_pages.story_id = new_story_id;

  select id into cover_id from public.story_pages where story_pages.story_id = new_story_id and page_number = 0;
  perform internal.enqueue_page(cover_id, new_job_id);
  -- Dispatch now rather than at the next cron tick: the cover starts within about a second.
  perform internal.dispatch_page_tasks();
  return query select new_story_id, new_job_id;
end;
$$;
comment on function internal.create_preview(uuid, uuid, text, public.art_style, text, smallint, public.pronouns, text, text, jsonb) is 'Creates a story with its cover and ten pages and queues the cover. Errors: TC404 (photo or theme, named in the hint), TC429 (three generations already active).';

-- ---------------------------------------------------------------------------------------------------------
-- Progress over Realtime: private topic story:<story id>, readable by the story's owner only
-- ---------------------------------------------------------------------------------------------------------
create function internal.broadcast_page_progress()
returns trigger
language plpgsql
security definer -- realtime.send inserts into realtime.messages, which the writing role may not be allowed to do
set search_path = ''
as $$
declare
  job public.generation_jobs;
begin
  -- The job's own counter, which complete_page raises before marking the page done: the same number the
  -- status endpoint reports.
  select * into job from public.generation_jobs where id = new.job_id;
  perform realtime.send(
    jsonb_build_object(
      'page', new.page_number,
      'status', new.status,
      'progress', case when job.id is null then 0 else round(100.0 * job.pages_completed / job.total_pages) end
    ),
    'page_status',
    'story:' || new.story_id,
    true
  );
  return null;
end;
$$;

create trigger story_pages_broadcast_progress
  after update of status on public.story_pages
  for each row
  when (old.status is distinct from new.status)
  execute function internal.broadcast_page_progress();

create function internal.broadcast_job_status()
returns trigger
language plpgsql
security definer -- as broadcast_page_progress: realtime.send needs insert on realtime.messages
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'job_id', new.id,
      'status', new.status,
      'progress', round(100.0 * new.pages_completed / new.total_pages),
      'error', new.error
    ),
    'job_status',
    'story:' || new.story_id,
    true
  );
  return null;
end;
$$;

create trigger generation_jobs_broadcast_status
  after update of status on public.generation_jobs
  for each row
  when (old.status is distinct from new.status)
  execute function internal.broadcast_job_status();

create policy "owners receive their story's progress" on realtime.messages for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select realtime.topic()) like 'story:%'
    and exists (
      select 1 from public.stories s
       where 'story:' || s.id::text = (select realtime.topic()) and s.user_id = (select auth.uid())
    )
  );

-- ---------------------------------------------------------------------------------------------------------
-- Expiry: previews not bought within 7 days
-- ---------------------------------------------------------------------------------------------------------
create function internal.expire_previews()
returns table (story_id uuid, user_id uuid)
language plpgsql
set search_path = ''
as $$
begin
  -- The images are removed by the maintenance function through the Storage API (the storage schema refuses
  -- direct deletes); it calls this, deletes the returned stories' objects, then forgets their paths.
  return query
  update public.stories s
     set status = 'expired', updated_at = now()
   where s.purchased_at is null and s.expires_at <= now() and s.status <> 'expired'
  returning s.id, s.user_id;
end;
$$;
comment on function internal.expire_previews() is 'Marks unbought previews past expires_at as expired and returns them, so their images can be deleted.';

-- Called as postgres (the owner) by the functions; no API role may execute them.
revoke all on function internal.create_preview(uuid, uuid, text, public.art_style, text, smallint, public.pronouns, text, text, jsonb),
  internal.broadcast_page_progress(), internal.broadcast_job_status(), internal.expire_previews()
  from public;
