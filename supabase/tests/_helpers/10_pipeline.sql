-- Test helpers: fixtures for the story tables and the page pipeline, acting as the pipeline does (postgres).
-- They go through the pipeline's own functions wherever one exists, so a fixture cannot reach a state the
-- pipeline itself could not.

create or replace function tests.create_photo(p_user_id uuid)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  new_photo_id uuid := pg_catalog.gen_random_uuid();
begin
  -- The face box covers 420 × 480 of 1200 × 1600 px: 10.5 % of the image.
  insert into public.photos (id, user_id, storage_path, width, height, face_box, face_confidence, face_area_percent)
  values (new_photo_id, p_user_id, p_user_id || '/' || new_photo_id || '.jpg', 1200, 1600,
          '{"x": 400, "y": 300, "width": 420, "height": 480}', 0.98, 10.5);
  return new_photo_id;
end;
$$;

-- The dispatcher reads the worker's URL and key from vault; a fresh database has neither.
create or replace function tests.ensure_dispatch_secrets()
returns void
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from vault.decrypted_secrets where name = 'project_url') then
    perform vault.create_secret('http://127.0.0.1:54321', 'project_url');
  end if;
  if not exists (select 1 from vault.decrypted_secrets where name = 'service_role_key') then
    perform vault.create_secret('test-service-role-key', 'service_role_key');
  end if;
end;
$$;

-- The personalised texts of the cover (0) and pages 1–10, as the previews API passes them.
create or replace function tests.page_texts()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_agg(
           pg_catalog.jsonb_build_object('page_number', n, 'body_text', 'Page ' || n || ' of Mia''s adventure.')
           order by n)
    from pg_catalog.generate_series(0, 10) as n
$$;

-- A preview for the user, with a new photo of theirs unless one is given. Returns the story id.
create or replace function tests.create_preview(
  p_user_id uuid,
  p_photo_id uuid default null,
  p_theme_id text default 'enchanted_forest'
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  created_story_id uuid;
begin
  perform tests.ensure_dispatch_secrets();
  select p.story_id into created_story_id
    from internal.create_preview(
      p_user_id, coalesce(p_photo_id, tests.create_photo(p_user_id)), p_theme_id, 'cartoon_3d', 'Mia',
      5::smallint, 'she', 'For Mia, with love', 'Mia and the Whispering Trees', tests.page_texts()
    ) as p;
  return created_story_id;
end;
$$;

create or replace function tests.page_id(p_story_id uuid, p_page_number integer)
returns uuid
language sql
stable
set search_path = ''
as $$
  select id from public.story_pages where story_id = p_story_id and page_number = p_page_number
$$;

create or replace function tests.job_id(p_story_id uuid)
returns uuid
language sql
stable
set search_path = ''
as $$
  select id from public.generation_jobs where story_id = p_story_id and kind = 'preview'
$$;

-- The newest task message of a page still in the queue (null when there is none).
create or replace function tests.message_id(p_page_id uuid)
returns bigint
language sql
stable
set search_path = ''
as $$
  select max(msg_id) from pgmq.q_page_tasks where message ->> 'page_id' = p_page_id::text
$$;

-- Makes a page's delivery look abandoned, as after a worker crash: its lease and its message's visibility
-- timeout both lie in the past.
create or replace function tests.expire_delivery(p_page_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update internal.page_renders set lease_expires_at = now() - interval '1 second' where page_id = p_page_id;
  update pgmq.q_page_tasks set vt = now() - interval '1 second' where message ->> 'page_id' = p_page_id::text;
end;
$$;

-- Claims a page for a new attempt through its newest message; fails loudly unless the claim succeeds.
create or replace function tests.claim(p_story_id uuid, p_page_number integer)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  page_id uuid := tests.page_id(p_story_id, p_page_number);
  claim record;
begin
  select * into claim from internal.claim_page(page_id, tests.message_id(page_id));
  if claim.outcome is distinct from 'claimed' then
    raise exception 'claim of page % of story % was %, not claimed', p_page_number, p_story_id, claim.outcome;
  end if;
  return claim.lease_token;
end;
$$;

-- Completes a page for the given lease, with the paths the worker would store.
create or replace function tests.complete(p_story_id uuid, p_page_number integer, p_lease_token uuid)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  page_id uuid := tests.page_id(p_story_id, p_page_number);
  owner_id uuid := (select user_id from public.stories where id = p_story_id);
begin
  return internal.complete_page(
    page_id, p_lease_token, tests.message_id(page_id),
    p_story_id || '/' || p_page_number || '/' || p_lease_token || '.jpg',
    owner_id || '/' || p_story_id || '/' || p_page_number || '-' || p_lease_token || '.jpg',
    'illustrator', 'storybook-v1'
  );
end;
$$;

create or replace function tests.draw_page(p_story_id uuid, p_page_number integer)
returns boolean
language sql
set search_path = ''
as $$
  select tests.complete(p_story_id, p_page_number, tests.claim(p_story_id, p_page_number))
$$;

-- Draws the cover, then pages 1–5, as the workers would: the whole preview.
create or replace function tests.draw_preview(p_story_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  for page_number in 0..5 loop
    if not tests.draw_page(p_story_id, page_number) then
      raise exception 'page % of story % did not complete', page_number, p_story_id;
    end if;
  end loop;
end;
$$;

-- Fails the current attempt of a page as the worker reports a provider error (by default a 503); returns the
-- pipeline's verdict (retrying, failed, flagged, stale).
create or replace function tests.fail_attempt(
  p_story_id uuid,
  p_page_number integer,
  p_lease_token uuid,
  p_retryable boolean,
  p_code text default 'provider_error',
  p_detail text default 'the image provider answered 503',
  p_retry_after_seconds integer default null
)
returns text
language sql
set search_path = ''
as $$
  select internal.fail_page_attempt(
    tests.page_id(p_story_id, p_page_number), p_lease_token,
    tests.message_id(tests.page_id(p_story_id, p_page_number)),
    p_code, p_detail, p_retryable, p_retry_after_seconds
  )
$$;

revoke all on function tests.create_photo(uuid), tests.ensure_dispatch_secrets(), tests.page_texts(),
  tests.create_preview(uuid, uuid, text), tests.page_id(uuid, integer), tests.job_id(uuid),
  tests.message_id(uuid), tests.expire_delivery(uuid), tests.claim(uuid, integer),
  tests.complete(uuid, integer, uuid), tests.draw_page(uuid, integer), tests.draw_preview(uuid),
  tests.fail_attempt(uuid, integer, uuid, boolean, text, text, integer)
  from public;
