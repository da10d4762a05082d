-- params are url-encoded and appended to the URL's query, before any fragment.
begin;
select plan(4);

-- The request a call queued: read in a statement of its own, after the call has inserted it.
create function pg_temp.queued(request_id bigint)
returns net.http_request_queue
language sql
as $$ select * from net.http_request_queue where id = request_id $$;

select is(
  (select url from pg_temp.queued(net.http_get('http://example.test/search', '{"q": "a b&c=d/é"}'))),
  'http://example.test/search?q=a%20b%26c%3Dd%2F%C3%A9',
  'reserved and non-ASCII characters are percent-encoded'
);
select is(
  (select url from pg_temp.queued(
    net.http_post('https://example.test/path?page=1#top', '{}', '{"size": "10"}')
  )),
  'https://example.test/path?page=1&size=10#top',
  'params are appended to an existing query, before the fragment'
);
select is(
  (select url from pg_temp.queued(net.http_delete('http://example.test:8000', '{"id": "7"}'))),
  'http://example.test:8000/?id=7',
  'a URL without a path gets one'
);
select throws_ok(
  $$ select net.http_get('not a url') $$, null, null, 'a URL without a scheme and host is refused'
);

select * from finish();
rollback;
