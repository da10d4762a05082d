-- realtime.send stores a Broadcast message (private unless told otherwise) that the Realtime stand-in delivers.
begin;
select plan(6);

select lives_ok(
  $$select realtime.send('{"page": 3, "of": 12}'::jsonb, 'progress', 'bootstrap-test:book:1')$$,
  'postgres can send a broadcast'
);

select results_eq(
  $$select extension, event, private, payload ->> 'page', payload ->> 'of'
    from realtime.messages where topic = 'bootstrap-test:book:1'$$,
  $$values ('broadcast'::text, 'progress'::text, true, '3'::text, '12'::text)$$,
  'the message is a private broadcast carrying the payload'
);
select is(
  (select (payload ->> 'id')::uuid from realtime.messages where topic = 'bootstrap-test:book:1'),
  (select id from realtime.messages where topic = 'bootstrap-test:book:1'),
  'the payload gains the message id, so clients can correlate it'
);

select realtime.send('{"id": "client-chosen"}'::jsonb, 'progress', 'bootstrap-test:book:2');
select is(
  (select payload ->> 'id' from realtime.messages where topic = 'bootstrap-test:book:2'),
  'client-chosen',
  'a payload id given by the caller is kept'
);

select realtime.send('{"done": true}'::jsonb, 'finished', 'bootstrap-test:book:3', false);
select is(
  (select private from realtime.messages where topic = 'bootstrap-test:book:3'),
  false,
  'private => false stores a public broadcast'
);

set local role service_role;
select realtime.send('{}'::jsonb, 'progress', 'bootstrap-test:book:4');
reset role;
select is(
  (select count(*) from realtime.messages where topic = 'bootstrap-test:book:4'),
  1::bigint,
  'service_role (bypassing RLS) can send without any policy'
);

select * from finish();
rollback;
