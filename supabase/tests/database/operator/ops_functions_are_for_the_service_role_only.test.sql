-- The operator functions are for the service role (and postgres, their owner) only. Anon, a parent and another
-- signed-in user cannot reach schema ops at all; the service role may execute each of the four functions and
-- nothing else there, while schema internal, where the plumbing behind them lives, stays out of its reach.
-- Each function runs as its owner with an empty search_path.
begin;
select plan(7);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));

select set_eq(
  $$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'ops'::regnamespace$$,
  $$values ('ops.retry_order(uuid)'), ('ops.resend_book_email(uuid)'), ('ops.regenerate_page(uuid,text)'),
           ('ops.stuck_work(interval)')$$,
  'schema ops holds the four operator functions'
);
select results_eq(
  $$select has_schema_privilege('service_role', 'ops', 'usage'), has_schema_privilege('anon', 'ops', 'usage'),
           has_schema_privilege('authenticated', 'ops', 'usage'),
           has_schema_privilege('service_role', 'internal', 'usage')$$,
  $$values (true, false, false, false)$$,
  'the service role uses schema ops, anon and signed-in users do not, and schema internal stays hidden'
);
select set_eq(
  $$select p.proname::text, a.grantee::regrole::text
      from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
     where p.pronamespace = 'ops'::regnamespace and a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner$$,
  $$values ('retry_order', 'service_role'), ('resend_book_email', 'service_role'),
           ('regenerate_page', 'service_role'), ('stuck_work', 'service_role')$$,
  'each is executable by the service role, and by no other role (not public)'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'ops'::regnamespace
       and not (p.prosecdef and p.proconfig = array['search_path=""'])$$,
  'each runs as its owner, with an empty search_path'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'internal'::regnamespace
       and p.proname in ('record_operator_action', 'queue_book_email', 'requeue_failed_pages',
                         'print_regenerated_pages', 'forget_book_to_rebuild')
       and (has_function_privilege('anon', p.oid, 'execute')
            or has_function_privilege('authenticated', p.oid, 'execute')
            or has_function_privilege('service_role', p.oid, 'execute'))$$,
  'the plumbing behind them is executable by postgres only'
);
select results_eq(
  $$select e.caller, e.error_code, count(*)
      from unnest(array[
             format('select ops.retry_order(%L)', gen_random_uuid()),
             format('select ops.resend_book_email(%L)', gen_random_uuid()),
             format('select ops.regenerate_page(%L, %L)', gen_random_uuid(), 'ticket 1'),
             'select * from ops.stuck_work()'
           ]) as statement,
           tests.api_role_errors(statement, tests.id('owner'), tests.id('other')) e
     group by e.caller, e.error_code order by e.caller$$,
  $$values ('anon', '42501', 4::bigint), ('other user', '42501', 4::bigint), ('owner', '42501', 4::bigint)$$,
  'anon, a parent and another user are refused each of the four (permission denied)'
);

select tests.authenticate_as_service();
select lives_ok('select * from ops.stuck_work()', 'the service role calls them');
select tests.clear_authentication();

select * from finish();
rollback;
