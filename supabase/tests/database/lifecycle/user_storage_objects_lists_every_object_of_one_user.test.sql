-- Erasure removes a parent's storage objects through the Storage API first; internal.user_storage_objects lists
-- them all: photos, previews and books under the parent's folder, hi-res pages under each of their stories'
-- folders. Another parent's objects are never listed.
begin;
select plan(2);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.remember('others_story', tests.create_preview(tests.id('other')));

select tests.store_object('photos', tests.id('parent') || '/photo.jpg');
select tests.store_object('previews', tests.id('parent') || '/' || tests.id('story') || '/0-lease.jpg');
select tests.store_object('pages', tests.id('story') || '/0/lease.jpg');
select tests.store_object('pages', tests.id('story') || '/1/lease.jpg');
select tests.store_object('books', tests.id('parent') || '/order/book.pdf');
select tests.store_object('photos', tests.id('other') || '/photo.jpg');
select tests.store_object('previews', tests.id('other') || '/' || tests.id('others_story') || '/0-lease.jpg');
select tests.store_object('pages', tests.id('others_story') || '/0/lease.jpg');
select tests.store_object('books', tests.id('other') || '/order/book.pdf');

select set_eq(
  $$select bucket, path from internal.user_storage_objects(tests.id('parent'))$$,
  $$values ('photos', tests.id('parent') || '/photo.jpg'),
           ('previews', tests.id('parent') || '/' || tests.id('story') || '/0-lease.jpg'),
           ('pages', tests.id('story') || '/0/lease.jpg'),
           ('pages', tests.id('story') || '/1/lease.jpg'),
           ('books', tests.id('parent') || '/order/book.pdf')$$,
  'every object of the parent is listed, in all four buckets'
);
select is(
  (select count(*) from internal.user_storage_objects(tests.id('other'))), 4::bigint,
  'the other parent has their own four objects'
);

select * from finish();
rollback;
