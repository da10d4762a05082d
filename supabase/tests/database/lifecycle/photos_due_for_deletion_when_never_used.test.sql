-- A photo no preview was made from is due unused_photo_retention_hours (24 by default) after its upload, oldest
-- first. A younger one is kept: the parent may still be filling in the form.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('fresh', tests.create_photo(tests.id('parent')));
select tests.remember('day_old', tests.create_photo(tests.id('parent')));
select tests.remember('week_old', tests.create_photo(tests.id('parent')));
update public.photos set created_at = now() - interval '23 hours 59 minutes' where id = tests.id('fresh');
update public.photos set created_at = now() - interval '24 hours' where id = tests.id('day_old');
update public.photos set created_at = now() - interval '7 days' where id = tests.id('week_old');

select results_eq(
  'select photo_id, reason from internal.photos_due_for_deletion(100)',
  $$values (tests.id('week_old'), 'never_used'), (tests.id('day_old'), 'never_used')$$,
  'unused photos 24 hours old or older are due, oldest first'
);
select results_eq(
  'select photo_id from internal.photos_due_for_deletion(1)',
  $$values (tests.id('week_old'))$$,
  'a batch of one takes the oldest'
);

update internal.photo_settings set unused_photo_retention_hours = 1;
select is(
  (select count(*) from internal.photos_due_for_deletion(100)), 3::bigint,
  'with a retention of one hour all three unused photos are due'
);

select * from finish();
rollback;
