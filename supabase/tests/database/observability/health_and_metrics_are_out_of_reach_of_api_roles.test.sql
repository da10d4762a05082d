-- The health and metrics snapshots are read by the health and metrics functions as postgres, the owner: no API
-- role may call them or read their thresholds, not anon, not a signed-in user, not the service role (the
-- functions check the service key themselves, then read as postgres).
begin;
select plan(10);

select tests.remember('parent', tests.create_user('parent@example.com'));

select is_empty(
  $$select r.role || ' ' || f.fn
      from unnest(array['anon', 'authenticated', 'service_role']) as r(role),
           unnest(array[
             'internal.health_snapshot()',
             'internal.metrics_snapshot(numeric[], numeric[])',
             'internal.cron_schedule_period(text)',
             'internal.failure_code(text)'
           ]) as f(fn)
     where has_function_privilege(r.role, f.fn::regprocedure, 'execute')$$,
  'no health or metrics function is executable by anon, authenticated or service_role'
);

select tests.authenticate_as_anon();
select throws_ok('select internal.health_snapshot()', '42501', null, 'anon cannot read the health snapshot');
select throws_ok(
  $$select internal.metrics_snapshot('{1}', '{1}')$$, '42501', null, 'anon cannot read the metrics snapshot'
);

select tests.authenticate_as(tests.id('parent'));
select throws_ok('select internal.health_snapshot()', '42501', null, 'a signed-in parent cannot read the health snapshot');
select throws_ok(
  $$select internal.metrics_snapshot('{1}', '{1}')$$, '42501', null,
  'a signed-in parent cannot read the metrics snapshot'
);

select tests.authenticate_as_service();
select throws_ok('select internal.health_snapshot()', '42501', null, 'service_role cannot read the health snapshot');
select throws_ok(
  $$select internal.metrics_snapshot('{1}', '{1}')$$, '42501', null, 'service_role cannot read the metrics snapshot'
);
select throws_ok(
  'select * from internal.health_settings', '42501', 'permission denied for schema internal',
  'service_role cannot read the health thresholds'
);
select tests.clear_authentication();

select lives_ok('select internal.health_snapshot()', 'postgres (the health function) reads the health snapshot');
select lives_ok(
  $$select internal.metrics_snapshot('{0.5, 1}', '{1, 2}')$$,
  'postgres (the metrics function) reads the metrics snapshot'
);

select * from finish();
rollback;
