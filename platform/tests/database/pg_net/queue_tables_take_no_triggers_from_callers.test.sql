-- The request functions are security definer, owned by the extension's superuser; a trigger a caller could put on
-- net.http_request_queue would therefore run with superuser rights. No role but the owner may create one.
begin;
select plan(4);

select ok(
  not has_table_privilege('postgres', 'net.http_request_queue', 'trigger'),
  'postgres cannot put a trigger on the request queue'
);
select ok(
  not has_table_privilege('authenticated', 'net.http_request_queue', 'trigger'),
  'authenticated cannot put a trigger on the request queue'
);
select ok(
  not has_table_privilege('anon', 'net._http_response', 'truncate'),
  'anon cannot truncate the responses'
);

create function pg_temp.noop() returns trigger language plpgsql set search_path = '' as $$ begin return new; end $$;
set local role postgres;
select throws_ok(
  $$ create trigger escalate before insert on net.http_request_queue for each row execute function pg_temp.noop() $$,
  '42501',
  null,
  'creating the trigger as postgres is refused'
);

select * from finish();
rollback;
