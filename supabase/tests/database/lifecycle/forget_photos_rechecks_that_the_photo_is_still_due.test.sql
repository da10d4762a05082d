-- Between the sweep's selection and its deletion a photo may become needed again (the parent starts a new
-- preview from it). forget_photos checks again and keeps such a photo, as it keeps any photo that is not due.
begin;
select plan(5);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('parent')));
select tests.expire(tests.create_preview(tests.id('parent'), tests.id('photo')));
select tests.remember('live_photo', tests.create_photo(tests.id('parent')));
select tests.create_preview(tests.id('parent'), tests.id('live_photo'));

select results_eq(
  'select photo_id from internal.photos_due_for_deletion(100)',
  $$values (tests.id('photo'))$$,
  'the photo of the expired preview is selected'
);
select tests.remember('new_story', tests.create_preview(tests.id('parent'), tests.id('photo')));

select is_empty(
  $$select * from internal.forget_photos(array[tests.id('photo'), tests.id('live_photo')])$$,
  'neither the photo needed again nor a photo that was never due is forgotten'
);
select is(
  (select count(*) from public.photos where id in (tests.id('photo'), tests.id('live_photo'))), 2::bigint,
  'both photo rows remain'
);
select is(
  (select photo_id from public.stories where id = tests.id('new_story')), tests.id('photo'),
  'the new preview keeps its photo'
);
select is_empty('select * from internal.deleted_data', 'nothing is recorded as deleted');

select * from finish();
rollback;
