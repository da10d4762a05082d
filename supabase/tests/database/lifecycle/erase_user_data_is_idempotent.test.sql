-- Erasing twice is harmless: the second call deletes nothing, reports zeros and records nothing more, so the
-- erase function may simply be called again after a crash. A parent with no data leaves no record either.
begin;
select plan(4);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('newcomer', tests.create_user('newcomer@example.com'));
select tests.create_preview(tests.id('parent'));

select results_eq(
  $$select photos, stories from internal.erase_user_data(tests.id('parent'))$$, 'values (1, 1)',
  'the first erasure deletes the photo and the story'
);
select results_eq(
  $$select photos, stories from internal.erase_user_data(tests.id('parent'))$$, 'values (0, 0)',
  'the second deletes nothing'
);
select results_eq(
  $$select photos, stories from internal.erase_user_data(tests.id('newcomer'))$$, 'values (0, 0)',
  'erasing a parent with no data deletes nothing'
);
select results_eq(
  'select subject_id from internal.deleted_data',
  $$values (tests.id('parent'))$$,
  'only the erasure that deleted something is recorded'
);

select * from finish();
rollback;
