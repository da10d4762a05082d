-- Every change of a page's status is broadcast privately on story:<id> as a page_status event carrying
-- {page, status, progress}, progress being the share of the job's pages done, in percent. Changes that leave the
-- status alone broadcast nothing.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));

create temporary view story_events as
  select event, payload - 'id' as payload, private, extension, inserted_at
    from realtime.messages
   where topic = 'story:' || tests.id('story');

select results_eq(
  $$select payload from story_events where event = 'page_status'$$,
  $$values ('{"page": 0, "status": "queued", "progress": 0}'::jsonb)$$,
  'queueing the cover broadcasts its new status'
);

select tests.remember('lease', tests.claim(tests.id('story'), 0));
select ok(
  exists (select 1 from story_events where event = 'page_status'
           and payload = '{"page": 0, "status": "generating", "progress": 0}'),
  'claiming the cover broadcasts generating'
);

select tests.complete(tests.id('story'), 0, tests.id('lease'));
select ok(
  exists (select 1 from story_events where event = 'page_status'
           and payload = jsonb_build_object('page', 0, 'status', 'done', 'progress', round(100.0 * 1 / 6))),
  'completing the cover broadcasts done with one page of six in the progress'
);
select set_eq(
  $$select payload from story_events where event = 'page_status' and payload ->> 'status' = 'queued' and payload ->> 'page' <> '0'$$,
  $$select jsonb_build_object('page', n, 'status', 'queued', 'progress', round(100.0 * 1 / 6)) from generate_series(1, 5) n$$,
  'queueing pages 1–5 broadcasts each of them'
);

select is(
  (select count(*) from story_events where private and extension = 'broadcast'),
  (select count(*) from story_events),
  'every progress message is a private broadcast'
);

update public.story_pages set body_text = body_text || ' (edited)' where story_id = tests.id('story');
select is(
  (select count(*) from story_events where event = 'page_status'),
  8::bigint,
  'a change that leaves the status alone broadcasts nothing (3 cover changes + 5 queued pages)'
);

select * from finish();
rollback;
