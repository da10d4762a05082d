-- The expiry sweep marks expired exactly the previews that were not bought and whose date has passed, and
-- returns them (story and owner) so their images can be deleted. Bought books, previews still within their
-- 7 days and previews already expired are left alone, so a second sweep returns nothing.
begin;
select plan(4);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('lapsed', tests.create_preview(tests.id('owner')));
select tests.remember('bought', tests.create_preview(tests.id('owner')));
select tests.remember('fresh', tests.create_preview(tests.id('owner')));
select tests.remember('others_lapsed', tests.create_preview(tests.id('other')));
select tests.remember('already_expired', tests.create_preview(tests.id('other')));
update public.stories set expires_at = now() - interval '1 minute'
 where id in (tests.id('lapsed'), tests.id('bought'), tests.id('others_lapsed'), tests.id('already_expired'));
update public.stories set purchased_at = now() - interval '1 day' where id = tests.id('bought');
update public.stories set status = 'expired', updated_at = now() - interval '1 day' where id = tests.id('already_expired');

create temporary table swept on commit drop as select * from internal.expire_previews();

select set_eq(
  'select story_id, user_id from swept',
  $$values (tests.id('lapsed'), tests.id('owner')), (tests.id('others_lapsed'), tests.id('other'))$$,
  'the two unbought previews past their date are returned with their owners'
);
select set_eq(
  $$select id from public.stories where status = 'expired'$$,
  $$values (tests.id('lapsed')), (tests.id('others_lapsed')), (tests.id('already_expired'))$$,
  'they are now expired, next to the one that already was'
);
select results_eq(
  $$select id, status::text from public.stories where id in (tests.id('bought'), tests.id('fresh')) order by id = tests.id('fresh')$$,
  $$values (tests.id('bought'), 'queued'), (tests.id('fresh'), 'queued')$$,
  'a bought book and a preview within its 7 days are untouched'
);
select is_empty('select * from internal.expire_previews()', 'a second sweep finds nothing more');

select * from finish();
rollback;
