-- Forgetting due photos deletes their rows, keeps their stories (without the photo) and records each deletion
-- in internal.deleted_data with the photo's id, the reason and counts: never the child's name or the parent's
-- e-mail address.
begin;
select plan(7);

select tests.remember('parent', tests.create_user('grace.hopper@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('parent')));
select tests.remember('story', tests.create_preview(tests.id('parent'), tests.id('photo')));
select tests.expire(tests.id('story'));
select tests.remember('unused', tests.create_photo(tests.id('parent')));
update public.photos set created_at = now() - interval '2 days' where id = tests.id('unused');

create temporary table forgotten on commit drop as
select * from internal.forget_photos(array[tests.id('photo'), tests.id('unused')]);

select set_eq(
  'select photo_id, storage_path, reason from forgotten',
  $$values (tests.id('photo'), tests.id('parent') || '/' || tests.id('photo') || '.jpg', 'preview_expired'),
           (tests.id('unused'), tests.id('parent') || '/' || tests.id('unused') || '.jpg', 'never_used')$$,
  'both photos are forgotten, returned with the object path to remove and the reason'
);
select is_empty('select id from public.photos', 'their rows are gone');
select results_eq(
  $$select id, photo_id from public.stories$$,
  $$values (tests.id('story'), null::uuid)$$,
  'the expired story stays, without its photo'
);
select set_eq(
  'select subject, subject_id, reason, details from internal.deleted_data',
  $$values ('photo', tests.id('photo'), 'preview_expired', '{"stories": 1}'::jsonb),
           ('photo', tests.id('unused'), 'never_used', '{"stories": 0}'::jsonb)$$,
  'each deletion is recorded with the photo''s id, the reason and a count'
);
select is_empty(
  $$select * from internal.deleted_data d
     where d::text ilike '%Mia%' or d::text ilike '%grace%' or d::text ilike '%' || tests.id('parent') || '%'$$,
  'the record holds neither the child''s name, nor the parent''s e-mail, nor the parent''s id'
);
select is_empty(
  $$select * from internal.forget_photos(array[tests.id('photo')])$$,
  'forgetting the same photo again deletes nothing'
);
select is((select count(*) from internal.deleted_data), 2::bigint, 'and records nothing more');

select * from finish();
rollback;
