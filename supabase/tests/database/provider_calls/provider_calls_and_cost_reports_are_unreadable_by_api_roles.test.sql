-- What each call cost and how long it took (internal.provider_calls, and the reports internal.story_costs and
-- internal.provider_latency over it) is for operators only: anon, the story's owner, another user and the
-- service role are all refused with "permission denied", not shown an empty result; postgres reads them.
begin;
select plan(16);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.submit_page(tests.id('story'), 0, 'req-cover');
select internal.finish_provider_call(tests.call_id('req-cover'), 'completed', null, 1024, 1024, 0.039);

select is_empty(
  $$select r.role || ' ' || t.relation
      from unnest(array['anon', 'authenticated', 'service_role']) as r(role),
           unnest(array['internal.provider_calls', 'internal.story_costs', 'internal.provider_latency']) as t(relation)
     where has_table_privilege(r.role, t.relation, 'select, insert, update, delete')$$,
  'no API role holds any privilege on the call table or its reports, whatever the schema'
);

select tests.authenticate_as_anon();
select throws_ok('select * from internal.provider_calls', '42501', 'permission denied for schema internal',
  'anon cannot read the provider calls');
select throws_ok('select * from internal.story_costs', '42501', 'permission denied for schema internal',
  'anon cannot read what stories cost');
select throws_ok('select * from internal.provider_latency', '42501', 'permission denied for schema internal',
  'anon cannot read provider latency');

select tests.authenticate_as(tests.id('owner'));
select throws_ok('select * from internal.provider_calls', '42501', 'permission denied for schema internal',
  'the owner cannot read the calls made for their own story');
select throws_ok('select * from internal.story_costs', '42501', 'permission denied for schema internal',
  'the owner cannot read what their own story cost');
select throws_ok('select * from internal.provider_latency', '42501', 'permission denied for schema internal',
  'the owner cannot read provider latency');

select tests.authenticate_as(tests.id('other'));
select throws_ok('select * from internal.provider_calls', '42501', 'permission denied for schema internal',
  'another user cannot read the provider calls');
select throws_ok('select * from internal.story_costs', '42501', 'permission denied for schema internal',
  'another user cannot read what stories cost');
select throws_ok('select * from internal.provider_latency', '42501', 'permission denied for schema internal',
  'another user cannot read provider latency');

select tests.authenticate_as_service();
select throws_ok('select * from internal.provider_calls', '42501', 'permission denied for schema internal',
  'service_role cannot read the provider calls');
select throws_ok('select * from internal.story_costs', '42501', 'permission denied for schema internal',
  'service_role cannot read what stories cost');
select throws_ok('select * from internal.provider_latency', '42501', 'permission denied for schema internal',
  'service_role cannot read provider latency');
select tests.clear_authentication();

-- The pipeline, as postgres, sees the call the refusals above kept hidden.
select results_eq(
  $$select request_id, status::text from internal.provider_calls$$,
  $$values ('req-cover', 'completed')$$,
  'postgres reads the call'
);
select results_eq(
  $$select story_id, total_cost_usd from internal.story_costs$$,
  $$select tests.id('story'), 0.039::numeric$$,
  'postgres reads what the story cost'
);
select is(
  (select calls from internal.provider_latency where model = 'fal-ai/nano-banana-2/edit'),
  1::bigint,
  'postgres reads the call in the latency report'
);

select * from finish();
rollback;
