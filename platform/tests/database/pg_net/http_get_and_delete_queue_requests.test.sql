-- http_get and http_delete queue requests with pg_net's defaults: no body unless http_delete is given one.
begin;
select plan(4);

-- The request a call queued: read in a statement of its own, after the call has inserted it.
create function pg_temp.queued(request_id bigint)
returns net.http_request_queue
language sql
as $$ select * from net.http_request_queue where id = request_id $$;

select is(
  (select row(method::text, headers, body, timeout_milliseconds)::text
   from pg_temp.queued(net.http_get('http://example.test/status'))),
  row('GET', '{}'::jsonb, null::bytea, 5000)::text,
  'http_get queues a GET without body, with empty headers and a 5000 ms timeout'
);
select is(
  (select row(method::text, body)::text
   from pg_temp.queued(net.http_delete('http://example.test/item'))),
  row('DELETE', null::bytea)::text,
  'http_delete queues a DELETE without body by default'
);
select is(
  (select convert_from(body, 'UTF8')::jsonb
   from pg_temp.queued(net.http_delete('http://example.test/item', body => '{"reason": "expired"}'))),
  '{"reason": "expired"}'::jsonb,
  'http_delete sends the body it is given'
);
select is(
  (select timeout_milliseconds
   from pg_temp.queued(net.http_get('http://example.test/slow', timeout_milliseconds => 60000))),
  60000,
  'the timeout can be raised'
);

select * from finish();
rollback;
