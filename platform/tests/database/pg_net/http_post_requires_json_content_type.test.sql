-- http_post sends JSON only: a missing Content-Type is added, application/json in any header case is kept,
-- and any other Content-Type is refused.
begin;
select plan(4);

-- The request a call queued: read in a statement of its own, after the call has inserted it.
create function pg_temp.queued(request_id bigint)
returns net.http_request_queue
language sql
as $$ select * from net.http_request_queue where id = request_id $$;

select throws_ok(
  $$ select net.http_post('http://example.test', '{}', headers => '{"Content-Type": "text/plain"}') $$,
  'P0001', 'Content-Type header must be "application/json"',
  'a non-JSON Content-Type is refused'
);
select is(
  (select headers from pg_temp.queued(
    net.http_post('http://example.test', '{}', headers => '{"Authorization": "Bearer t"}')
  )),
  '{"Authorization": "Bearer t", "Content-Type": "application/json"}'::jsonb,
  'headers without a Content-Type get the JSON one added'
);
select is(
  (select headers from pg_temp.queued(
    net.http_post('http://example.test', '{}', headers => '{"content-type": "application/json"}')
  )),
  '{"content-type": "application/json"}'::jsonb,
  'a lower-case JSON Content-Type is kept as given'
);
select throws_ok(
  $$ select net.http_post('http://example.test', '{}', headers => '{"CONTENT-TYPE": "application/xml"}') $$,
  'P0001', 'Content-Type header must be "application/json"',
  'the header name is matched case-insensitively'
);

select * from finish();
rollback;
