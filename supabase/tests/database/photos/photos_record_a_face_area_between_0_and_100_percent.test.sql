-- Every photo row says how much of the image its face covers, as a percentage: upload-photo must give it (no
-- default), and it stays within 0–100.
begin;
select plan(4);

select tests.remember('parent', tests.create_user('parent@example.com'));

select col_not_null('public', 'photos', 'face_area_percent', 'face_area_percent is required');
select col_hasnt_default('public', 'photos', 'face_area_percent', 'face_area_percent has no default');
select throws_ok(
  format(
    $$insert into public.photos (user_id, storage_path, width, height, face_box, face_confidence, face_area_percent)
      values (%L, %L, 100, 100, '{"x": 0, "y": 0, "width": 100, "height": 101}', 0.9, 101)$$,
    tests.id('parent'), tests.id('parent') || '/too-big.jpg'
  ),
  '23514', null, 'a face area above 100 % is refused'
);
select lives_ok(
  format(
    $$insert into public.photos (user_id, storage_path, width, height, face_box, face_confidence, face_area_percent)
      values (%L, %L, 1200, 1600, '{"x": 400, "y": 300, "width": 420, "height": 480}', 0.98, 10.5)$$,
    tests.id('parent'), tests.id('parent') || '/photo.jpg'
  ),
  'a photo with its face area is stored as upload-photo stores it'
);

select * from finish();
rollback;
