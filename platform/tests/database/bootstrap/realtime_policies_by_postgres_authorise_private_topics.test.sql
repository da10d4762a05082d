-- A migration (as postgres, not the owner of realtime.messages) adds the documented Broadcast authorization
-- policies; realtime.send from the user's own role then succeeds only on topics the policy allows, and the
-- select policy decides which stored messages the user can read back.
begin;
select plan(5);

select lives_ok(
  $$create policy "bootstrap test: send on own topic" on realtime.messages for insert to authenticated
    with check (extension = 'broadcast' and (select realtime.topic()) = 'user:' || (select auth.uid()::text))$$,
  'postgres can create an insert policy on realtime.messages'
);
select lives_ok(
  $$create policy "bootstrap test: receive own topic" on realtime.messages for select to authenticated
    using (extension = 'broadcast' and topic = 'user:' || (select auth.uid()::text))$$,
  'postgres can create a select policy on realtime.messages'
);

set local role authenticated;
set local request.jwt.claims = '{"sub": "55555555-5555-4555-8555-555555555555", "role": "authenticated"}';
select realtime.send('{"mine": true}'::jsonb, 'ping', 'user:55555555-5555-4555-8555-555555555555');
select realtime.send('{"mine": false}'::jsonb, 'ping', 'user:66666666-6666-4666-8666-666666666666');

select results_eq(
  $$select topic from realtime.messages$$,
  $$values ('user:55555555-5555-4555-8555-555555555555'::text)$$,
  'the user reads back only their own topic'
);
reset role;

select is(
  (select count(*) from realtime.messages where topic = 'user:66666666-6666-4666-8666-666666666666'),
  0::bigint,
  'the send to another user''s topic was refused by the insert policy'
);

set local role anon;
select is_empty($$select id from realtime.messages$$, 'anon reads nothing without a policy');

select * from finish();
rollback;
