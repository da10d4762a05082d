-- A provider's result is stored by one finisher only (the webhook, a duplicate delivery, or the sweep):
-- begin_finishing_call answers unknown for a request never recorded, begun to the first caller (the call is
-- then finishing for provider_finish_seconds, and the caller gets what it needs to finish the page), busy to
-- anyone else meanwhile, and finished once the call has been closed.
begin;
select plan(7);

update internal.pipeline_settings set provider_finish_seconds = 45;

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.message_id(tests.id('cover')) as message \gset
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-cover'));

select results_eq(
  $$select outcome, call_id, page_id from internal.begin_finishing_call('req-never-submitted')$$,
  $$values ('unknown', null::uuid, null::uuid)$$,
  'a request never recorded is unknown'
);
select results_eq(
  $$select outcome, call_id, page_id, story_id, page_number::int, job_kind::text, stage, provider, model,
           resolution, lease_token, msg_id
      from internal.begin_finishing_call('req-cover')$$,
  format(
    $$select 'begun', tests.id('call'), tests.id('cover'), tests.id('story'), 0, 'preview', 'generate', 'fal',
             'fal-ai/nano-banana-2/edit', '1K', lease_token, %s::bigint
        from internal.page_renders where page_id = tests.id('cover')$$,
    :message
  ),
  'the first finisher begins, with the page, its lease and message, and how the page was asked for'
);
select results_eq(
  $$select status::text, finishing_until from internal.provider_calls where id = tests.id('call')$$,
  $$values ('finishing', now() + interval '45 seconds')$$,
  'the call is finishing for provider_finish_seconds'
);
select is(
  (select outcome from internal.begin_finishing_call('req-cover')),
  'busy',
  'a second finisher meanwhile finds it busy'
);
select is(
  (select finishing_until from internal.provider_calls where id = tests.id('call')),
  now() + interval '45 seconds',
  'and does not extend the first finisher''s time'
);

select internal.finish_provider_call(tests.id('call'), 'completed', null, 1024, 1024, 0.039);
select results_eq(
  $$select outcome, call_id from internal.begin_finishing_call('req-cover')$$,
  $$select 'finished', tests.id('call')$$,
  'once closed, a duplicate delivery finds it finished'
);
select is(
  (select status::text from internal.provider_calls where id = tests.id('call')),
  'completed',
  'and the call stays completed'
);

select * from finish();
rollback;
