-- A finisher that began storing a result and died (a crashed delivery, a failed download) does not hold the
-- request forever: once its finishing_until has passed, the next begin_finishing_call begins again and gets a
-- fresh provider_finish_seconds.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('call', tests.submit_page(tests.id('story'), 0, 'req-cover'));
select outcome from internal.begin_finishing_call('req-cover');

-- The first finisher's time ran out a second ago.
update internal.provider_calls set finishing_until = now() - interval '1 second' where id = tests.id('call');

select results_eq(
  $$select outcome, call_id from internal.begin_finishing_call('req-cover')$$,
  $$select 'begun', tests.id('call')$$,
  'the next finisher begins again'
);
select results_eq(
  $$select status::text, finishing_until from internal.provider_calls where id = tests.id('call')$$,
  $$values ('finishing', now() + interval '120 seconds')$$,
  'with a fresh provider_finish_seconds (120 by default)'
);
select is(
  (select outcome from internal.begin_finishing_call('req-cover')),
  'busy',
  'and holds it against the next one'
);

select * from finish();
rollback;
