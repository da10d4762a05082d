-- internal.create_preview locks the photo it draws from (and takes its per-user lock first), so a preview created
-- while the retention sweep or an erasure deletes that photo ends cleanly: the preview keeps the photo, or the
-- request answers 404 photo_not_found, never a foreign-key error.

create or replace function internal.create_preview(
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
  -- Serialise one user's requests so two at once cannot both pass the limit; erase_user_data takes the same
  -- lock, so a preview is created either wholly before an erasure or not at all. Taken before the photo is
  -- locked below, in the order erase_user_data takes them, so the two cannot deadlock.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_user_id::text, 0));
  -- The photo row is held (key share) until commit: the retention sweep (forget_photos, which locks it for
  -- update) then either waits and sees this story, or has deleted it first and this answers 404.
  perform 1 from public.photos where id = p_photo_id and user_id = p_user_id for key share;
  if not found then
    raise exception 'photo % not found', p_photo_id using errcode = 'TC404', hint = 'photo';
  end if;
  if not exists (select 1 from public.themes where id = p_theme_id and is_active) then
    raise exception 'theme % not found', p_theme_id using errcode = 'TC404', hint = 'theme';
  end if;
  if (select count(*) from jsonb_array_elements(p_pages)) <> 11 then
    raise exception 'a story has a cover and 10 pages' using errcode = '22023';
  end if;

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
