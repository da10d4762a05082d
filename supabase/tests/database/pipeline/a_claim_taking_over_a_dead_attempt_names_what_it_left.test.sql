-- A worker killed between its uploads and complete_page leaves pictures named after its lease. The claim that
-- takes the page over says which lease died, and internal.abandoned_page_objects lists that lease's objects for
-- the page-worker to remove: only those, never another attempt's, never one the page records as its own.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.remember('dead', tests.claim(tests.id('story'), 0));
insert into storage.objects (bucket_id, name) values
  ('pages', tests.id('story') || '/0/' || tests.id('dead') || '.jpg'),
  ('previews', tests.id('owner') || '/' || tests.id('story') || '/0-' || tests.id('dead') || '.jpg'),
  -- another attempt's picture of the same page
  ('pages', tests.id('story') || '/0/' || gen_random_uuid() || '.jpg');
select tests.expire_delivery(tests.id('cover'));

select results_eq(
  format(
    'select outcome, abandoned_lease from internal.claim_page(%L, %s)',
    tests.id('cover'), tests.message_id(tests.id('cover'))
  ),
  format('values (%L, %L::uuid)', 'claimed', tests.id('dead')),
  'the claim names the lease it took over'
);
select set_eq(
  format('select bucket_id, name from internal.abandoned_page_objects(%L, %L)', tests.id('cover'), tests.id('dead')),
  format(
    'values (%L, %L), (%L, %L)',
    'pages', tests.id('story') || '/0/' || tests.id('dead') || '.jpg',
    'previews', tests.id('owner') || '/' || tests.id('story') || '/0-' || tests.id('dead') || '.jpg'
  ),
  'the dead attempt''s picture and watermarked preview are listed, nothing else'
);

update internal.page_renders set hires_path = tests.id('story') || '/0/' || tests.id('dead') || '.jpg'
 where page_id = tests.id('cover');
select set_eq(
  format('select bucket_id from internal.abandoned_page_objects(%L, %L)', tests.id('cover'), tests.id('dead')),
  $$values ('previews')$$,
  'a picture the page records as its own is not a leftover'
);

-- the attempt that took the page over is alive (its lease runs on)
update internal.page_renders set lease_expires_at = now() + interval '1 minute' where page_id = tests.id('cover');
select results_eq(
  format(
    'select outcome, abandoned_lease from internal.claim_page(%L, %s)',
    tests.id('cover'), tests.message_id(tests.id('cover'))
  ),
  $$values ('busy', null::uuid)$$,
  'a delivery while a live attempt holds the page names no lease'
);

-- a flagged page waits for an operator: a duplicate of its task is dropped, not drawn
select tests.remember('page_1', tests.page_id(tests.id('story'), 1));
update public.story_pages set status = 'flagged' where id = tests.id('page_1');
select pgmq.send('page_tasks', jsonb_build_object('page_id', tests.id('page_1'))) as flagged_message \gset
select is(
  (select outcome from internal.claim_page(tests.id('page_1'), :flagged_message)),
  'not_queued',
  'a duplicate task of a flagged page is not claimed'
);
select is(
  (select status::text from public.story_pages where id = tests.id('page_1')),
  'flagged',
  'the flagged page is left for the operator'
);

select * from finish();
rollback;
