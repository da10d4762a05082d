-- realtime.topic() is how policies see the topic being joined or sent to (the realtime.topic setting).
begin;
select plan(4);

select is(realtime.topic(), null, 'no topic when the setting is absent');

set local realtime.topic = 'book:42';
select is(realtime.topic(), 'book:42', 'realtime.topic() returns the setting');

set local realtime.topic = '';
select is(realtime.topic(), null, 'an empty setting reads as no topic');

select realtime.send('{}'::jsonb, 'progress', 'book:43');
select is(realtime.topic(), 'book:43', 'realtime.send sets the topic for the rest of the transaction');

select * from finish();
rollback;
