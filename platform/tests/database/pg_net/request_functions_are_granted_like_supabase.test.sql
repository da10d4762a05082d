-- As Supabase sets them up: http_get, http_post and http_delete are security definer with a pinned
-- search_path, executable by the API roles, postgres and supabase_functions_admin, and by no one else.
begin;
select plan(5);

create temp table request_function (signature regprocedure);
insert into request_function values
  ('net.http_get(text, jsonb, jsonb, integer)'),
  ('net.http_post(text, jsonb, jsonb, jsonb, integer)'),
  ('net.http_delete(text, jsonb, jsonb, integer, jsonb)');

select ok(
  (select bool_and(p.prosecdef) from pg_proc as p join request_function as f on p.oid = f.signature),
  'they are security definer'
);
select ok(
  (select bool_and(p.proconfig @> array['search_path=""'])
   from pg_proc as p join request_function as f on p.oid = f.signature),
  'their search_path is pinned'
);
select ok(
  (select bool_and(has_function_privilege(grantee, f.signature, 'execute'))
   from request_function as f
   cross join unnest(
     array['postgres', 'anon', 'authenticated', 'service_role', 'supabase_functions_admin']
   ) as grantee),
  'postgres, the API roles and supabase_functions_admin may call them'
);
select ok(
  (select not bool_or(has_function_privilege('supabase_storage_admin', f.signature, 'execute'))
   from request_function as f),
  'other roles may not'
);

set local role anon;
select lives_ok(
  $$ select net.http_post('http://example.test/hook', '{"event": "signup"}') $$,
  'anon can queue a request without privileges of its own on net''s tables'
);

select * from finish();
rollback;
