-- A bought book that has not been delivered yet keeps its photo, whatever its dates or status say: its print
-- pages are drawn from it. So does a preview shared with such a book, once expired.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('parent')));
select tests.remember('book', tests.create_preview(tests.id('parent'), tests.id('photo')));
select tests.buy(tests.id('book'));
update public.stories set created_at = now() - interval '90 days', expires_at = now() - interval '83 days'
 where id = tests.id('book');
select internal.expire_previews();

select is(
  (select status::text from public.stories where id = tests.id('book')), 'queued',
  'the expiry sweep leaves a bought book alone'
);
select is_empty('select * from internal.photos_due_for_deletion(100)', 'a bought, undelivered book keeps its photo');

update public.stories set status = 'failed' where id = tests.id('book');
select tests.expire(tests.create_preview(tests.id('parent'), tests.id('photo')));
select is_empty(
  'select * from internal.photos_due_for_deletion(100)',
  'a failed print of a bought book still keeps the photo, next to an expired preview of it'
);

select * from finish();
rollback;
