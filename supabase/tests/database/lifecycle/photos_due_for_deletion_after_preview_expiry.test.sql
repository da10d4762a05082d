-- A photo is due for deletion once every preview made from it has expired. While one of its previews is still
-- in its 7 days, or an expired preview has only lapsed but not yet been swept, the photo stays.
begin;
select plan(5);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('parent')));
select tests.remember('first', tests.create_preview(tests.id('parent'), tests.id('photo')));
select tests.remember('second', tests.create_preview(tests.id('parent'), tests.id('photo')));

select is_empty('select * from internal.photos_due_for_deletion(100)', 'a photo of live previews is not due');

update public.stories set expires_at = now() - interval '1 minute' where id = tests.id('first');
select is_empty(
  'select * from internal.photos_due_for_deletion(100)',
  'a preview past its date but not yet expired by the sweep still holds its photo'
);

select tests.expire(tests.id('first'));
select is_empty(
  'select * from internal.photos_due_for_deletion(100)',
  'one expired preview is not enough while another preview of the photo is live'
);

select tests.expire(tests.id('second'));
select results_eq(
  'select photo_id, user_id, storage_path, reason from internal.photos_due_for_deletion(100)',
  $$select id, user_id, storage_path, 'preview_expired' from public.photos where id = tests.id('photo')$$,
  'once both previews have expired, the photo is due, with its owner, object path and reason'
);
select is_empty(
  'select * from internal.photos_due_for_deletion(0)',
  'the limit bounds the batch'
);

select * from finish();
rollback;
