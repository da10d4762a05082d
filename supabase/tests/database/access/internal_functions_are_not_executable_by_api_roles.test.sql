-- No API role can call the pipeline: the functions and cron drive it as postgres, the owner. No function of schema
-- internal is executable by anon, authenticated or service_role, and a direct call is refused before it runs.
begin;
select plan(9);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('owner')));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('cover', tests.page_id(tests.id('story'), 0));

select ok(
  (select count(*) from pg_proc where pronamespace = 'internal'::regnamespace) >= 10,
  'schema internal holds the pipeline''s functions'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'internal'::regnamespace
       and (has_function_privilege('anon', p.oid, 'execute')
            or has_function_privilege('authenticated', p.oid, 'execute')
            or has_function_privilege('service_role', p.oid, 'execute'))$$,
  'no internal function is executable by anon, authenticated or service_role'
);
select ok(
  not has_schema_privilege('service_role', 'internal', 'usage'),
  'service_role has no usage on schema internal'
);

select tests.authenticate_as(tests.id('owner'));
select throws_ok(
  format(
    $$select internal.create_preview(%L, %L, 'enchanted_forest', 'cartoon_3d', 'Mia', 5::smallint, 'she', null, 'T', '[]')$$,
    tests.id('owner'), tests.id('photo')
  ),
  '42501', null, 'the owner cannot create a preview behind the API''s back'
);
select throws_ok(
  format('select * from internal.claim_page(%L, 1)', tests.id('cover')),
  '42501', null, 'the owner cannot claim their page'
);
select throws_ok(
  format($$select internal.complete_page(%L, gen_random_uuid(), 1, 'x', 'y', 'p', 'm')$$, tests.id('cover')),
  '42501', null, 'the owner cannot complete their page'
);
select throws_ok(
  format('select internal.retry_story(%L)', tests.id('story')),
  '42501', null, 'the owner cannot retry their story behind the API''s back'
);

select tests.authenticate_as_anon();
select throws_ok('select internal.dispatch_page_tasks()', '42501', null, 'anon cannot dispatch page tasks');
select throws_ok($$select internal.secret('service_role_key')$$, '42501', null, 'anon cannot read a vault secret through the pipeline');
select tests.clear_authentication();

select * from finish();
rollback;
