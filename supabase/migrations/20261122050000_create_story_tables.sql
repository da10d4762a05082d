-- Stories and their pages: what a parent's frontend reads with supabase-js (public, row level security), and
-- the generation plumbing it must never see (schema `internal`).
--
-- public.themes          the catalogue (readable by everyone)
-- public.photos          a parent's uploaded photos (owner reads)
-- public.stories         a preview, later a bought book (owner reads)
-- public.story_pages     cover (0) and pages 1–10: status, text, watermarked preview path (owner reads)
-- public.generation_jobs progress of one generation run (owner reads)
-- internal.page_renders  hi-res path and the lease of the attempt generating a page (service only)
--
-- Writes happen only through the functions of the page pipeline (security definer, service role), so there are
-- no insert, update or delete policies for users.

-- Only postgres (the owner, which the functions connect as) uses the internal schema.
create schema if not exists internal;
revoke all on schema internal from public, anon, authenticated, service_role;

-- Functions are not executable by the API roles unless granted by name.
alter default privileges in schema public revoke execute on functions from public, anon, authenticated;
alter default privileges in schema internal revoke execute on functions from public, anon, authenticated;

create type public.art_style as enum ('photorealistic', 'cartoon_3d');
create type public.pronouns as enum ('he', 'she', 'they');
create type public.story_status as enum ('queued', 'processing', 'completed', 'failed', 'expired');
create type public.page_status as enum ('pending', 'queued', 'generating', 'done', 'failed');
create type public.job_status as enum ('queued', 'processing', 'completed', 'failed');
create type public.job_kind as enum ('preview', 'print');

-- ---------------------------------------------------------------------------------------------------------
-- themes
-- ---------------------------------------------------------------------------------------------------------
create table public.themes (
  id text primary key constraint theme_id_is_snake_case check (id ~ '^[a-z][a-z0-9_]{1,40}$'),
  title text not null,
  description text not null,
  min_age smallint not null,
  max_age smallint not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint theme_age_range_is_ordered check (min_age <= max_age)
);
comment on table public.themes is 'The story catalogue. The texts and scenes live in the themes/ folder; this row is what the API lists and what stories reference.';

alter table public.themes enable row level security;
create policy "themes are readable by visitors" on public.themes for select to anon using (is_active);
create policy "themes are readable by signed-in users" on public.themes for select to authenticated using (is_active);
grant select on public.themes to anon, authenticated;
grant all on public.themes to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- photos
-- ---------------------------------------------------------------------------------------------------------
create table public.photos (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  storage_path text not null unique,
  width integer not null constraint photo_width_is_positive check (width > 0),
  height integer not null constraint photo_height_is_positive check (height > 0),
  -- Pixel box of the detected face: {x, y, width, height}. The illustrator crops it for the hero.
  face_box jsonb not null,
  face_confidence real not null,
  created_at timestamptz not null default now()
);
create index photos_user_id_idx on public.photos (user_id);
comment on table public.photos is 'A child''s photo, stored privately in the photos bucket under the parent''s folder.';

alter table public.photos enable row level security;
create policy "owners read their photos" on public.photos for select to authenticated
  using (user_id = (select auth.uid()));
grant select on public.photos to authenticated;
grant all on public.photos to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- stories (a preview; after purchase, a book)
-- ---------------------------------------------------------------------------------------------------------
create table public.stories (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  photo_id uuid references public.photos (id) on delete set null,
  theme_id text not null references public.themes (id),
  style public.art_style not null,
  child_name text not null constraint child_name_length check (char_length(child_name) between 1 and 40),
  child_age smallint not null constraint child_age_range check (child_age between 2 and 12),
  pronouns public.pronouns not null,
  dedication text constraint dedication_length check (char_length(dedication) <= 200),
  title text not null,
  status public.story_status not null default 'queued',
  purchased_at timestamptz,
  expires_at timestamptz not null default now() + interval '7 days',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index stories_user_id_idx on public.stories (user_id);
create index stories_expires_at_idx on public.stories (expires_at) where purchased_at is null;
comment on table public.stories is 'A personalised story. A preview until purchased_at is set; previews expire after 7 days.';

alter table public.stories enable row level security;
create policy "owners read their stories" on public.stories for select to authenticated
  using (user_id = (select auth.uid()));
grant select on public.stories to authenticated;
grant all on public.stories to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- story pages: pending → queued → generating → done | failed
-- ---------------------------------------------------------------------------------------------------------
create table public.story_pages (
  id uuid primary key default gen_random_uuid(),
  story_id uuid not null references public.stories (id) on delete cascade,
  -- 0 is the cover, 1–10 the story pages.
  page_number smallint not null constraint page_number_range check (page_number between 0 and 10),
  body_text text not null,
  -- Locked pages show their text and no picture until the book is bought.
  is_locked boolean not null default false,
  status public.page_status not null default 'pending',
  attempts smallint not null default 0,
  last_error text,
  seed bigint not null,
  -- Watermarked preview in the previews bucket; the owner may read it. The hi-res path is in internal.page_renders.
  preview_path text,
  -- Who drew the picture (the in-house illustrator, or an image model), shown to the parent as it is.
  illustrated_by text,
  queued_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint story_page_is_unique unique (story_id, page_number),
  constraint done_page_has_preview check (status <> 'done' or preview_path is not null)
);
create index story_pages_story_id_idx on public.story_pages (story_id);

alter table public.story_pages enable row level security;
create policy "owners read the pages of their stories" on public.story_pages for select to authenticated
  using (exists (
    select 1 from public.stories s where s.id = story_pages.story_id and s.user_id = (select auth.uid())
  ));
grant select on public.story_pages to authenticated;
grant all on public.story_pages to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- generation jobs: progress of one run over a story's pages
-- ---------------------------------------------------------------------------------------------------------
create table public.generation_jobs (
  id uuid primary key default gen_random_uuid(),
  story_id uuid not null references public.stories (id) on delete cascade,
  kind public.job_kind not null,
  status public.job_status not null default 'queued',
  total_pages smallint not null constraint total_pages_is_positive check (total_pages > 0),
  pages_completed smallint not null default 0,
  current_step text not null default 'queued',
  error text,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint pages_completed_within_total check (pages_completed between 0 and total_pages)
);
create index generation_jobs_story_id_idx on public.generation_jobs (story_id);
create unique index generation_jobs_one_per_kind on public.generation_jobs (story_id, kind);

alter table public.generation_jobs enable row level security;
create policy "owners read the jobs of their stories" on public.generation_jobs for select to authenticated
  using (exists (
    select 1 from public.stories s where s.id = generation_jobs.story_id and s.user_id = (select auth.uid())
  ));
grant select on public.generation_jobs to authenticated;
grant all on public.generation_jobs to service_role;

-- ---------------------------------------------------------------------------------------------------------
-- internal.page_renders: what only the pipeline sees
-- ---------------------------------------------------------------------------------------------------------
create table internal.page_renders (
  page_id uuid primary key references public.story_pages (id) on delete cascade,
  -- The attempt currently allowed to complete the page; a stale attempt's completion is refused.
  lease_token uuid,
  lease_expires_at timestamptz,
  -- Full-resolution image in the private pages bucket. Never exposed to the owner before purchase.
  hires_path text,
  provider text,
  model text,
  updated_at timestamptz not null default now()
);
alter table internal.page_renders enable row level security;
