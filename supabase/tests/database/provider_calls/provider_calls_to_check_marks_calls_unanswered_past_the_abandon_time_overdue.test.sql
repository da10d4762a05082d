-- A late call still unanswered provider_abandon_after_seconds after its submission is returned as overdue:
-- the sweep then cancels it and retries its page instead of asking again. One not yet that old is not.
begin;
select plan(1);

update internal.pipeline_settings set provider_sweep_after_seconds = 60, provider_abandon_after_seconds = 600;

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select tests.submit_page(tests.id('story'), 1, 'req-almost-abandoned');
select tests.backdate_call('req-almost-abandoned', interval '599 seconds');
select tests.submit_page(tests.id('story'), 2, 'req-abandoned');
select tests.backdate_call('req-abandoned', interval '601 seconds');
select tests.submit_page(tests.id('story'), 3, 'req-late');
select tests.backdate_call('req-late', interval '61 seconds');

select results_eq(
  'select request_id, overdue from internal.provider_calls_to_check(100) order by request_id',
  $$values ('req-abandoned', true), ('req-almost-abandoned', false), ('req-late', false)$$,
  'only the call submitted more than provider_abandon_after_seconds ago is overdue'
);

select * from finish();
rollback;
