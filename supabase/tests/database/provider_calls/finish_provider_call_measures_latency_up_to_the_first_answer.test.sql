-- A call's latency runs from its submission to the moment its answer first reached us (answered_at, set by
-- the first begin_finishing_call), not to when the result was finally stored: time spent storing it, or a
-- finisher that died and was taken over later, does not count, and a later finisher does not move answered_at.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-cover'));
-- The answer comes 90 s after submission.
select tests.backdate_call('req-cover', interval '90 seconds');
select outcome from internal.begin_finishing_call('req-cover');

select is(
  (select answered_at from internal.provider_calls where id = tests.id('call')),
  now(),
  'the first finisher records when the answer reached us'
);

-- 30 s pass; the first finisher died meanwhile and a second takes over.
update internal.provider_calls
   set submitted_at = submitted_at - interval '30 seconds', answered_at = answered_at - interval '30 seconds',
       finishing_until = now() - interval '1 second'
 where id = tests.id('call');
select is(
  (select outcome from internal.begin_finishing_call('req-cover')),
  'begun',
  'a second finisher takes over'
);
select is(
  (select answered_at from internal.provider_calls where id = tests.id('call')),
  now() - interval '30 seconds',
  'the second finisher leaves the moment of the answer alone'
);

select internal.finish_provider_call(tests.id('call'), 'completed', null, 1024, 1024, 0.039, 8000);
select is(
  (select latency_ms from internal.provider_calls where id = tests.id('call')),
  90000,
  'the latency is submission to answer (90 s), not submission to storing (120 s)'
);

select * from finish();
rollback;
