-- A parent may start 20 uploads an hour. The 21st is refused with the seconds until the oldest attempt leaves
-- the hour (the Retry-After), and a refused attempt is not recorded. Once the oldest attempt is an hour old, a
-- slot is free again.
begin;
select plan(7);

select tests.remember('parent', tests.create_user('parent@example.com'));

select is(
  (select array_agg(internal.admit_photo_upload(tests.id('parent'))) from generate_series(1, 20)),
  array_fill(0, array[20]),
  'the first 20 uploads of the hour are admitted (0 seconds to wait)'
);
select is(
  internal.admit_photo_upload(tests.id('parent')), 3600,
  'the 21st upload is refused: the oldest attempt, made just now, leaves the window in an hour'
);
select is(
  (select count(*) from internal.photo_upload_attempts where user_id = tests.id('parent')), 20::bigint,
  'the refused attempt is not recorded'
);

-- Spread the 20 attempts over the last hour: the oldest 59 min 30.2 s ago, one a minute after it, and so on.
with numbered as (
  select ctid, row_number() over () as n from internal.photo_upload_attempts where user_id = tests.id('parent')
)
update internal.photo_upload_attempts a
   set attempted_at = now() - interval '59 minutes 30.2 seconds' + (numbered.n - 1) * interval '1 minute'
  from numbered
 where a.ctid = numbered.ctid;
select is(
  internal.admit_photo_upload(tests.id('parent')), 30,
  'the wait is rounded up to whole seconds until the oldest attempt is an hour old (29.8 s → 30)'
);

update internal.photo_upload_attempts set attempted_at = attempted_at - interval '29.8 seconds'
 where user_id = tests.id('parent') and attempted_at = (select min(attempted_at) from internal.photo_upload_attempts);
select is(
  internal.admit_photo_upload(tests.id('parent')), 0,
  'an attempt exactly an hour old has left the window, so the next upload is admitted'
);
select is(
  (select count(*) from internal.photo_upload_attempts
    where user_id = tests.id('parent') and attempted_at <= now() - interval '1 hour'),
  0::bigint,
  'the attempt that left the window is deleted'
);
select is(
  internal.admit_photo_upload(tests.id('parent')), 90,
  'with 20 attempts in the window again, the next waits for the new oldest, made 58 min 30.2 s ago'
);

select * from finish();
rollback;
