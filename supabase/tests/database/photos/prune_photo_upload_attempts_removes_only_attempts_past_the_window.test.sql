-- The purge sweep deletes the upload attempts of every user once they have left the rate limit's window, so
-- parents who never come back leave no trace of their uploads; attempts still in the window are kept.
begin;
select plan(2);

select tests.remember('gone', tests.create_user('gone@example.com'));
select tests.remember('recent', tests.create_user('recent@example.com'));
insert into internal.photo_upload_attempts (user_id, attempted_at) values
  (tests.id('gone'), now() - interval '3 days'),
  (tests.id('gone'), now() - interval '1 hour'),
  (tests.id('recent'), now() - interval '59 minutes');

select is(internal.prune_photo_upload_attempts(), 2, 'the two attempts an hour old or older are pruned');
select results_eq(
  'select user_id from internal.photo_upload_attempts',
  $$values (tests.id('recent'))$$,
  'the attempt still within the hour is kept'
);

select * from finish();
rollback;
