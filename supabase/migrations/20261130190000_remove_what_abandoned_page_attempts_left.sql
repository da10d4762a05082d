-- What a dead page attempt uploaded is removed by the attempt that takes its page over. Pictures are named
-- after the attempt's lease (pages/<story>/<n>/<lease>.<ext>, …/print-<lease>.<ext>, previews/<user>/<story>/
-- <n>-<lease>.jpg), and an attempt killed between its uploads and complete_page left them behind, pictures of a
-- child that no row named and only an erasure found. claim_page now says which lease it took over (also when
-- that attempt was the page's last), and internal.abandoned_page_objects lists that lease's objects that the
-- page does not use, for the page-worker to remove through the Storage API.
--
-- claim_page also drops a duplicate task of a flagged page, which waits for an operator rather than a redraw.

drop function internal.claim_page(uuid, bigint);

create function internal.claim_page(p_page_id uuid, p_msg_id bigint)
returns table (outcome text, lease_token uuid, attempt smallint, abandoned_lease uuid)
language plpgsql
set search_path = ''
as $$
declare
  settings internal.pipeline_settings;
  page public.story_pages;
  render internal.page_renders;
  token uuid := gen_random_uuid();
  abandoned uuid;
begin
  select * into settings from internal.pipeline_settings;
  select * into page from public.story_pages where id = p_page_id for update;
  if not found then
    -- The story was deleted (expiry, erasure): nothing to do, the message is dropped.
    perform pgmq.delete('page_tasks', p_msg_id);
    return query select 'missing', null::uuid, null::smallint, null::uuid;
    return;
  end if;
  select * into render from internal.page_renders where page_id = p_page_id for update;

  if page.status in ('done', 'failed', 'pending', 'flagged') then
    -- A duplicate of a finished task, or a task for a page that is no longer queued (a flagged page waits for
    -- an operator, who queues it again): dropped, and the slot the dispatcher reserved for it is given back.
    perform pgmq.delete('page_tasks', p_msg_id);
    update internal.page_renders r set lease_expires_at = null, updated_at = now()
     where r.page_id = p_page_id and r.lease_token is null;
    return query select 'not_queued', null::uuid, page.attempts, null::uuid;
    return;
  end if;
  if page.status = 'generating' and render.lease_token is not null and render.lease_expires_at > now() then
    -- Another attempt holds a live lease; this delivery waits for the message's next visibility.
    return query select 'busy', null::uuid, page.attempts, null::uuid;
    return;
  end if;
  if page.status = 'generating' and render.lease_token is not null then
    -- The attempt before this one died with the page in its hands (a crash, a kill, a lost provider call):
    -- whatever it uploaded is named after its lease, and is nobody's now.
    abandoned := render.lease_token;
  end if;
  if page.attempts >= settings.max_attempts then
    perform internal.fail_page(page, p_msg_id, 'exhausted', 'the page ran out of attempts');
    return query select 'exhausted', null::uuid, page.attempts, abandoned;
    return;
  end if;

  update public.story_pages
     set status = 'generating', attempts = attempts + 1, started_at = now(), updated_at = now()
   where id = p_page_id;
  -- The lease ends when this delivery's visibility timeout does, so that a crashed attempt's message, once
  -- visible again, finds the lease expired and can be claimed at once.
  update internal.page_renders
     set lease_token = token,
         lease_expires_at = coalesce(
           (select q.vt from pgmq.q_page_tasks q where q.msg_id = p_msg_id),
           now() + pg_catalog.make_interval(secs => settings.worker_timeout_seconds)
         ),
         updated_at = now()
   where page_id = p_page_id;
  update public.generation_jobs
     set status = 'processing', started_at = coalesce(started_at, now()),
         current_step = case when page.page_number = 0 then 'drawing the cover' else 'drawing the pages' end,
         updated_at = now()
   where id = page.job_id and status = 'queued';
  update public.stories set status = 'processing', updated_at = now()
   where id = page.story_id and status = 'queued';
  return query select 'claimed', token, (page.attempts + 1)::smallint, abandoned;
end;
$$;
comment on function internal.claim_page(uuid, bigint) is 'Leases a queued page to one worker attempt. Outcomes: claimed (with lease_token), busy, not_queued, missing, exhausted. abandoned_lease: the lease of a dead attempt this claim took over (claimed or exhausted), whose uploads internal.abandoned_page_objects lists.';

create function internal.abandoned_page_objects(p_page_id uuid, p_lease uuid)
returns table (bucket_id text, name text)
language sql
stable
set search_path = ''
as $$
  with page as (
    select p.story_id, p.page_number, p.preview_path, s.user_id, r.hires_path, r.print_path
      from public.story_pages p
      join public.stories s on s.id = p.story_id
      left join internal.page_renders r on r.page_id = p.id
     where p.id = p_page_id
  ),
  -- Every name the pipeline gives an attempt's uploads (page_results.ts): exact names, so the lookup is an
  -- index probe on storage.objects however many objects there are.
  candidates (bucket_id, name) as (
    select 'pages', format('%s/%s/%s%s.%s', page.story_id, page.page_number, kind.prefix, p_lease, ext.extension)
      from page, unnest(array['', 'print-']) as kind (prefix), unnest(array['jpg', 'png']) as ext (extension)
    union all
    select 'previews', format('%s/%s/%s-%s.jpg', page.user_id, page.story_id, page.page_number, p_lease)
      from page
  )
  select o.bucket_id, o.name
    from candidates c
    join storage.objects o on o.bucket_id = c.bucket_id and o.name = c.name
   -- A lease that kept one stage's images while the next ran (fal: the 1K render waits for its upscale) may
   -- have had them recorded: those are the page's, not leftovers.
   where not exists (
     select 1 from page
      where c.name in (page.hires_path, page.print_path, page.preview_path)
   )
$$;
comment on function internal.abandoned_page_objects(uuid, uuid) is 'The objects a dead attempt (its lease) uploaded for the page and the page does not use: for the page-worker to remove.';

revoke all on function internal.claim_page(uuid, bigint) from public;
revoke all on function internal.abandoned_page_objects(uuid, uuid) from public;
