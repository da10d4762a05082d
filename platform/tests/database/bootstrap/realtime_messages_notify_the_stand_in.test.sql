-- Stand-in plumbing: every stored message is announced on the NOTIFY channel `realtime_messages` (delivered at
-- commit, so a pgTAP transaction that rolls back cannot observe it; the Realtime stand-in's own tests do).
-- This test pins the contract the stand-in relies on: the trigger, its timing and the notice's fields.
begin;
select plan(4);

select is(
  (select count(*) from pg_catalog.pg_trigger
   where tgrelid = 'realtime.messages'::regclass and tgname = 'stand_in_notify_message_inserted'
     and tgenabled = 'O' and not tgisinternal),
  1::bigint,
  'the delivery trigger exists on realtime.messages and is enabled'
);
select is(
  (select (tgtype & 1) = 1 and (tgtype & 2) = 0 and (tgtype & 4) = 4 and (tgtype & 24) = 0
   from pg_catalog.pg_trigger
   where tgrelid = 'realtime.messages'::regclass and tgname = 'stand_in_notify_message_inserted'),
  true,
  'it fires after insert, for each row, and only on insert'
);
select matches(
  (select prosrc from pg_catalog.pg_proc where oid = 'realtime.stand_in_notify_message_inserted()'::regprocedure),
  'pg_notify\(\s*''realtime_messages''',
  'it notifies on the realtime_messages channel'
);
select unalike(
  (select prosrc from pg_catalog.pg_proc where oid = 'realtime.stand_in_notify_message_inserted()'::regprocedure),
  '%new.payload%',
  'the notice never carries the payload (NOTIFY is limited to 8000 bytes)'
);

select * from finish();
rollback;
