-- A bought book's photo is due retention_days_after_delivery (30 by default) after the book was delivered, and
-- operators may change N.
begin;
select plan(4);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('recent_photo', tests.create_photo(tests.id('parent')));
select tests.remember('old_photo', tests.create_photo(tests.id('parent')));
select tests.buy(tests.create_preview(tests.id('parent'), tests.id('recent_photo')), interval '29 days 23 hours');
select tests.buy(tests.create_preview(tests.id('parent'), tests.id('old_photo')), interval '30 days 1 hour');

select results_eq(
  'select photo_id, reason from internal.photos_due_for_deletion(100)',
  $$values (tests.id('old_photo'), 'book_delivered')$$,
  'the photo of a book delivered over 30 days ago is due; one delivered 29 days ago is kept'
);

update internal.photo_settings set retention_days_after_delivery = 60;
select is_empty('select * from internal.photos_due_for_deletion(100)', 'with N = 60 neither is due');

update internal.photo_settings set retention_days_after_delivery = 7;
select set_eq(
  'select photo_id, reason from internal.photos_due_for_deletion(100)',
  $$values (tests.id('old_photo'), 'book_delivered'), (tests.id('recent_photo'), 'book_delivered')$$,
  'with N = 7 both are due'
);

-- A photo behind both an expired preview and a book delivered long ago is due because of the delivery.
select tests.remember('lapsed', tests.create_preview(tests.id('parent'), tests.id('old_photo')));
select tests.expire(tests.id('lapsed'));
select results_eq(
  $$select reason from internal.photos_due_for_deletion(100) where photo_id = tests.id('old_photo')$$,
  $$values ('book_delivered')$$,
  'a delivered book names the reason even when an expired preview shares the photo'
);

select * from finish();
rollback;
