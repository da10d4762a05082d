-- The purge sweep removes photo objects no photo row names once they are an hour old: those of forgotten photos
-- whose removal did not happen, and leftovers of failed uploads. A younger object may belong to an upload still
-- in progress; objects of other buckets are not its business.
begin;
select plan(1);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('parent')));
select tests.store_object('photos', tests.id('parent') || '/' || tests.id('photo') || '.jpg', now() - interval '2 days');
select tests.store_object('photos', tests.id('parent') || '/forgotten.jpg', now() - interval '2 days');
select tests.store_object('photos', tests.id('parent') || '/failed-upload.jpg', now() - interval '1 hour');
select tests.store_object('photos', tests.id('parent') || '/uploading.jpg', now() - interval '59 minutes');
select tests.store_object('previews', tests.id('parent') || '/story/0-lease.jpg', now() - interval '2 days');

select results_eq(
  'select path from internal.orphaned_photo_objects(100)',
  $$values (tests.id('parent') || '/forgotten.jpg'), (tests.id('parent') || '/failed-upload.jpg')$$,
  'only photo objects an hour old or older without a photo row are listed, oldest first'
);

select * from finish();
rollback;
