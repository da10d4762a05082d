-- _http_collect_response reports PENDING while the request is queued, then the response the sender stored.
begin;
-- The deprecation notice of http_collect_response is expected.
set local client_min_messages = warning;
select plan(5);

create temp table request as select net.http_get('http://example.test/status') as id;

select is(
  (select row(status, message)::text from net._http_collect_response((select id from request))),
  row('PENDING', 'request is pending processing')::text,
  'a queued request is PENDING'
);

-- What the sender does: claim the request, then store its outcome.
delete from net.http_request_queue where id = (select id from request);
insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
select id, 200, 'application/json', '{"content-type": "application/json"}', '{"ok": true}', false, null
from request;

select is(
  (select row(status, message, response)::text from net._http_collect_response((select id from request))),
  row(
    'SUCCESS',
    'ok',
    row(200, '{"content-type": "application/json"}'::jsonb, '{"ok": true}')::net.http_response
  )::text,
  'a stored response is returned with its status, headers and body'
);
select is(
  (select (net.http_collect_response((select id from request))).status), 'SUCCESS'::net.request_status,
  'the deprecated http_collect_response returns the same'
);

insert into net._http_response (id, status_code, timed_out, error_msg)
values (-1, null, true, 'Timeout of 5000 ms reached');
select is(
  (select row(status, message)::text from net._http_collect_response(-1)),
  row('ERROR', 'Timeout of 5000 ms reached')::text,
  'a failed request reports ERROR with its error message'
);
select is(
  (select row(status, message)::text from net._http_collect_response(-2)),
  row('ERROR', 'request matching request_id not found')::text,
  'an unknown request reports ERROR'
);

select * from finish();
rollback;
