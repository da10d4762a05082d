-- Test helpers: fixtures for the photo lifecycle (retention, erasure), acting as postgres.

-- A storage object row, as the Storage API records an upload by the service role (no bytes are needed in SQL).
create or replace function tests.store_object(p_bucket text, p_name text, p_created_at timestamptz default now())
returns void
language sql
set search_path = ''
as $$
  insert into storage.objects (bucket_id, name, created_at) values (p_bucket, p_name, p_created_at)
$$;

-- Marks a story bought, and delivered that long ago when a delivery age is given (as the shop and the delivery
-- step will).
create or replace function tests.buy(p_story_id uuid, p_delivered_ago interval default null)
returns void
language sql
set search_path = ''
as $$
  update public.stories
     set purchased_at = now() - coalesce(p_delivered_ago, interval '0') - interval '1 day',
         delivered_at = now() - p_delivered_ago,
         updated_at = now()
   where id = p_story_id
$$;

-- Lets a preview pass its 7 days and runs the expiry sweep over it, as the hourly job would.
create or replace function tests.expire(p_story_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.stories set expires_at = now() - interval '1 minute' where id = p_story_id;
  perform internal.expire_previews();
end;
$$;

revoke all on function tests.store_object(text, text, timestamptz), tests.buy(uuid, interval), tests.expire(uuid)
  from public;
