-- A sweep takes at most p_limit late calls, the longest waiting first; the ones left over are not marked
-- checked, so the next sweep takes them.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('story'), 0);

select tests.submit_page(tests.id('story'), 1, 'req-late-7');
select tests.backdate_call('req-late-7', interval '7 minutes');
select tests.submit_page(tests.id('story'), 2, 'req-late-9');
select tests.backdate_call('req-late-9', interval '9 minutes');
select tests.submit_page(tests.id('story'), 3, 'req-late-8');
select tests.backdate_call('req-late-8', interval '8 minutes');

select results_eq(
  'select request_id from internal.provider_calls_to_check(2) order by request_id',
  $$values ('req-late-8'), ('req-late-9')$$,
  'the two longest waiting are taken'
);
select is(
  (select last_checked_at from internal.provider_calls where request_id = 'req-late-7'),
  null,
  'the one left over is not marked checked'
);
select results_eq(
  'select request_id from internal.provider_calls_to_check(2)',
  $$values ('req-late-7')$$,
  'and the next sweep takes it'
);

select * from finish();
rollback;
