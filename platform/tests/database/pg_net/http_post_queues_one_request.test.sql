-- net.http_post queues exactly one request with pg_net's defaults: a JSON Content-Type, the body as UTF-8
-- bytes and a 5000 ms timeout.
begin;
select plan(6);

create temp table queued_before as select id from net.http_request_queue;
create temp table request as
  select net.http_post('http://example.test/functions/v1/worker', '{"page": 1, "title": "été"}') as id;

select is(
  (select count(*)::int from net.http_request_queue where id not in (select id from queued_before)), 1,
  'one request is queued'
);
select is(
  (select id from net.http_request_queue where id not in (select id from queued_before)),
  (select id from request),
  'http_post returns the queued request''s id'
);
select is(
  (select method::text from net.http_request_queue where id = (select id from request)), 'POST',
  'the method is POST'
);
select is(
  (select headers from net.http_request_queue where id = (select id from request)),
  '{"Content-Type": "application/json"}'::jsonb,
  'the default headers carry the JSON Content-Type'
);
select is(
  (select body from net.http_request_queue where id = (select id from request)),
  convert_to('{"page": 1, "title": "été"}'::jsonb::text, 'UTF8'),
  'the body is the JSON text in UTF-8'
);
select is(
  (select timeout_milliseconds from net.http_request_queue where id = (select id from request)), 5000,
  'the default timeout is 5000 ms'
);

select * from finish();
rollback;
