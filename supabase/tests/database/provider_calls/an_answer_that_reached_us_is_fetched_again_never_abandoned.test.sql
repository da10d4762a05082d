-- A call whose answer reached us (answered_at set by begin_finishing_call) and whose finisher then died is
-- offered to the sweep to be fetched again, even past the abandon period: it is never marked overdue, so the
-- sweep does not cancel a result that is there and paid for. An unanswered call as old is overdue.
begin;
select plan(1);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select tests.submit_page(tests.id('story'), 1, 'req-answered');
select outcome from internal.begin_finishing_call('req-answered');
update internal.provider_calls set finishing_until = now() - interval '1 second' where request_id = 'req-answered';
select tests.backdate_call('req-answered', interval '2 hours');

select tests.submit_page(tests.id('story'), 2, 'req-unanswered');
select tests.backdate_call('req-unanswered', interval '2 hours');

select results_eq(
  'select request_id, overdue from internal.provider_calls_to_check(100) order by request_id',
  $$values ('req-answered', false), ('req-unanswered', true)$$,
  'the answered call is fetched again; only the unanswered one is overdue'
);

select * from finish();
rollback;
