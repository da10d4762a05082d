-- Expiring previews hourly: pg_cron calls the maintenance function (through pg_net, with the service key from
-- vault), which marks unbought previews past expires_at as expired (internal.expire_previews), deletes their
-- images through the Storage API (the storage schema refuses direct deletes), then forgets the deleted paths
-- here. A run that stops half-way is finished by the next one: paths are forgotten only after the deletes.

create function internal.forget_preview_images(p_story_ids uuid[])
returns integer
language plpgsql
set search_path = ''
as $$
declare
  forgotten integer;
begin
  update internal.page_renders r
     set hires_path = null, updated_at = now()
    from public.story_pages p join public.stories s on s.id = p.story_id
   where r.page_id = p.id and s.id = any(p_story_ids) and s.status = 'expired' and r.hires_path is not null;

  -- A done page must have a picture, so a page whose picture is deleted is back to pending: what it shows is
  -- text only, like a locked page.
  update public.story_pages p
     set preview_path = null,
         status = case when p.status = 'done' then 'pending'::public.page_status else p.status end,
         updated_at = now()
    from public.stories s
   where s.id = p.story_id and s.id = any(p_story_ids) and s.status = 'expired' and p.preview_path is not null;
  get diagnostics forgotten = row_count;
  return forgotten;
end;
$$;
comment on function internal.forget_preview_images(uuid[]) is 'Clears the image paths of expired stories once the maintenance function has deleted the objects; returns the pages changed.';

-- Called as postgres (the owner) by the maintenance function; no API role may execute it.
revoke all on function internal.forget_preview_images(uuid[]) from public;

select cron.schedule(
  'expire-previews',
  '17 * * * *',
  $$
  select net.http_post(
    url => internal.secret('project_url') || '/functions/v1/maintenance',
    body => '{"task": "expire_previews"}'::jsonb,
    headers => jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || internal.secret('service_role_key')
    ),
    timeout_milliseconds => 120000
  );
  $$
);
