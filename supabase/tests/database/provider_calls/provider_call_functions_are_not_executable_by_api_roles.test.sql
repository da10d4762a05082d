-- The provider-call and print functions are driven by the edge functions and cron as postgres, the owner; no
-- API role may call them: not anon, not the story's owner, not another user, not the service role. A direct
-- call is refused before it runs and changes nothing.
begin;
select plan(9);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-cover'));

select is_empty(
  $$select r.role || ' ' || f.fn
      from unnest(array['anon', 'authenticated', 'service_role']) as r(role),
           unnest(array[
             'internal.record_finished_call(uuid, text, text, text, text, integer, integer, integer, numeric)',
             'internal.record_provider_submission(uuid, uuid, bigint, text, text, text, text, text, text, text, text, text, text)',
             'internal.begin_finishing_call(text)',
             'internal.finish_provider_call(uuid, internal.provider_call_status, text, integer, integer, numeric, integer)',
             'internal.provider_calls_to_check(integer)',
             'internal.flag_page(public.story_pages, bigint, text)',
             'internal.release_flagged_page(uuid)',
             'internal.fail_page_attempt(uuid, uuid, bigint, text, text, boolean, integer)',
             'internal.record_print_render(uuid, uuid, text, integer, integer)',
             'internal.start_print_job(uuid)'
           ]) as f(fn)
     where has_function_privilege(r.role, f.fn::regprocedure, 'execute')$$,
  'none of the new internal functions is executable by anon, authenticated or service_role'
);

select tests.authenticate_as_anon();
select throws_ok(
  $$select * from internal.begin_finishing_call('req-cover')$$,
  '42501', null, 'anon cannot take over a provider result (as a forged webhook would)'
);

select tests.authenticate_as(tests.id('owner'));
select throws_ok(
  format('select internal.start_print_job(%L)', tests.id('story')),
  '42501', null, 'the owner cannot start the print job of their story without paying'
);
select throws_ok(
  format($$select internal.finish_provider_call(%L, 'completed')$$, tests.id('call')),
  '42501', null, 'the owner cannot close a provider call'
);

select tests.authenticate_as(tests.id('other'));
select throws_ok(
  format('select internal.release_flagged_page(%L)', tests.id('cover')),
  '42501', null, 'another user cannot release a page'
);

select tests.authenticate_as_service();
select throws_ok(
  'select * from internal.provider_calls_to_check(10)',
  '42501', null, 'service_role cannot take late calls from the sweep'
);
select throws_ok(
  format(
    $$select internal.record_print_render(%L, gen_random_uuid(), 'forged/print.png', 4096, 4096)$$,
    tests.id('cover')
  ),
  '42501', null, 'service_role cannot record a print image'
);
select tests.clear_authentication();

select results_eq(
  $$select status::text, finishing_until from internal.provider_calls where id = tests.id('call')$$,
  $$values ('submitted', null::timestamptz)$$,
  'the call is still submitted, taken over by no one'
);
select is_empty(
  $$select 1 from public.generation_jobs where kind = 'print'$$,
  'no print job was started'
);

select * from finish();
rollback;
