-- Pages are counted by status across every story, each status listed even at zero, so that a dashboard's series
-- never vanishes.
begin;
select plan(1);

select tests.remember('parent', tests.create_user('parent@example.com'));
-- Just created: the cover queued, ten pages pending.
select tests.create_preview(tests.id('parent'));
-- Drawn: the cover and pages 1–5 done, 6–10 pending (locked).
select tests.remember('drawn', tests.create_preview(tests.id('parent')));
select tests.draw_preview(tests.id('drawn'));
-- Its cover failed for good: failed, ten pages pending.
select tests.remember('failed', tests.create_preview(tests.id('parent')));
select tests.fail_page_for_good(tests.id('failed'), 0);

select results_eq(
  $$select p ->> 'status', (p ->> 'count')::integer
      from jsonb_array_elements(internal.metrics_snapshot('{1}', '{1}') -> 'pages') p$$,
  $$values ('pending', 25), ('queued', 1), ('generating', 0), ('done', 6), ('failed', 1), ('flagged', 0)$$,
  'every page status with its count, in the order a page goes through them'
);

select * from finish();
rollback;
