-- The pipeline's private schema is out of reach of every API role (visitors, signed-in users, service_role): they cannot read the hi-res
-- paths and leases in internal.page_renders, the settings, or the queue of page tasks. Even the owner of a
-- drawn page gets "permission denied", not an empty result.
begin;
select plan(10);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));
select tests.draw_page(tests.id('story'), 0);

select ok(not has_schema_privilege('anon', 'internal', 'usage'), 'anon has no usage on schema internal');
select ok(not has_schema_privilege('authenticated', 'internal', 'usage'), 'authenticated has no usage on schema internal');

select tests.authenticate_as(tests.id('owner'));
select throws_ok(
  'select hires_path from internal.page_renders', '42501', 'permission denied for schema internal',
  'the owner cannot read the hi-res path of their own drawn page'
);
select throws_ok(
  'select * from internal.pipeline_settings', '42501', 'permission denied for schema internal',
  'a signed-in user cannot read the pipeline settings'
);
select throws_ok(
  'select message from pgmq.q_page_tasks', '42501', null,
  'a signed-in user cannot read the queue of page tasks'
);

select tests.authenticate_as_anon();
select throws_ok(
  'select hires_path from internal.page_renders', '42501', 'permission denied for schema internal',
  'anon cannot read hi-res paths'
);
select throws_ok(
  'select * from internal.pipeline_settings', '42501', 'permission denied for schema internal',
  'anon cannot read the pipeline settings'
);
select throws_ok('select message from pgmq.a_page_tasks', '42501', null, 'anon cannot read the archive of page tasks');

select tests.clear_authentication();
-- The pipeline runs as postgres, the owner, which reads the hi-res path.
select matches(
  (select r.hires_path from internal.page_renders r where r.page_id = tests.id('cover')),
  '^' || tests.id('story') || '/0/',
  'postgres (the pipeline) reads the hi-res path'
);
select tests.authenticate_as_service();
select throws_ok(
  'select hires_path from internal.page_renders', '42501', 'permission denied for schema internal',
  'service_role cannot read hi-res paths either'
);
select tests.clear_authentication();

select * from finish();
rollback;
