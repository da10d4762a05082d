-- Operators change the limit with an UPDATE of internal.photo_settings; the next upload follows it.
begin;
select plan(3);

select tests.remember('parent', tests.create_user('parent@example.com'));
update internal.photo_settings set uploads_per_window = 2, upload_window_seconds = 90;

select is(internal.admit_photo_upload(tests.id('parent')), 0, 'the first of two uploads is admitted');
select is(internal.admit_photo_upload(tests.id('parent')), 0, 'the second of two uploads is admitted');
select is(internal.admit_photo_upload(tests.id('parent')), 90, 'the third waits for the 90-second window');

select * from finish();
rollback;
