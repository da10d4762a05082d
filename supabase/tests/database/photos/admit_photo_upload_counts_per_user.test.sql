-- The upload limit is per parent: one parent at the limit does not hold back another, and admitting one parent
-- prunes only that parent's old attempts.
begin;
select plan(4);

select tests.remember('busy', tests.create_user('busy@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select internal.admit_photo_upload(tests.id('busy')) from generate_series(1, 20);
insert into internal.photo_upload_attempts (user_id, attempted_at)
values (tests.id('other'), now() - interval '2 hours');

select ok(internal.admit_photo_upload(tests.id('busy')) > 0, 'the busy parent''s 21st upload is refused');
select is(internal.admit_photo_upload(tests.id('other')), 0, 'another parent''s upload is admitted');
select is(
  (select count(*) from internal.photo_upload_attempts where user_id = tests.id('other')), 1::bigint,
  'the other parent has their one recent attempt recorded, their stale one pruned'
);
select is(
  (select count(*) from internal.photo_upload_attempts where user_id = tests.id('busy')), 20::bigint,
  'the busy parent keeps their 20 attempts'
);

select * from finish();
rollback;
