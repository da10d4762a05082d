-- realtime.send is best-effort: when the insert fails (here: no insert policy for the caller) it raises a
-- WARNING (WarnSendingBroadcastMessage) instead of an error, and the caller's transaction carries on.
-- pgTAP cannot capture the warning itself; the test checks that nothing was raised and nothing was stored.
begin;
select plan(4);

set local role authenticated;
set local request.jwt.claims = '{"sub": "44444444-4444-4444-8444-444444444444", "role": "authenticated"}';
select lives_ok(
  $$select realtime.send('{"page": 1}'::jsonb, 'progress', 'bootstrap-test:denied')$$,
  'a send refused by RLS does not raise'
);
select is(realtime.topic(), null, 'a failed send leaves no topic behind');
reset role;

-- postgres bypasses RLS, so here the insert succeeds and the stand-in's NOTIFY is what fails (notices are
-- limited to 8000 bytes): a failure after the insert must not raise either, and takes the insert with it.
select lives_ok(
  $$select realtime.send('[1, 2]'::jsonb, 'progress', repeat('t', 9000))$$,
  'a failure after the insert does not raise either'
);

select is(
  (select count(*) from realtime.messages where topic = 'bootstrap-test:denied' or length(topic) = 9000),
  0::bigint,
  'nothing was stored'
);

select * from finish();
rollback;
