-- The photo lifecycle is plumbing: no API role (visitor, signed-in parent, service_role) can run the rate limit,
-- the retention sweep or the erasure, nor read the settings, the upload attempts or the record of deletions.
-- The functions call them as postgres.
begin;
select plan(15);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('parent')));
select internal.admit_photo_upload(tests.id('parent'));

select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
     where p.oid in ('internal.admit_photo_upload(uuid)'::regprocedure,
                     'internal.prune_photo_upload_attempts()'::regprocedure,
                     'internal.photos_due_for_deletion(integer)'::regprocedure,
                     'internal.forget_photos(uuid[])'::regprocedure,
                     'internal.orphaned_photo_objects(integer)'::regprocedure,
                     'internal.user_storage_objects(uuid)'::regprocedure,
                     'internal.erase_user_data(uuid, text)'::regprocedure)
       and (has_function_privilege('anon', p.oid, 'execute')
            or has_function_privilege('authenticated', p.oid, 'execute')
            or has_function_privilege('service_role', p.oid, 'execute'))$$,
  'none of the lifecycle functions is executable by anon, authenticated or service_role'
);
select is_empty(
  $$select c.oid::regclass::text from pg_class c
     where c.oid in ('internal.photo_settings'::regclass, 'internal.photo_upload_attempts'::regclass,
                     'internal.deleted_data'::regclass, 'internal.photo_retention'::regclass)
       and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select')
            or has_table_privilege('service_role', c.oid, 'select'))$$,
  'none of the lifecycle tables and views is readable by anon, authenticated or service_role'
);
select is_empty(
  $$select c.relname from pg_class c
     where c.oid in ('internal.photo_settings'::regclass, 'internal.photo_upload_attempts'::regclass,
                     'internal.deleted_data'::regclass)
       and not c.relrowsecurity$$,
  'row level security is enabled on the lifecycle tables'
);

select tests.authenticate_as(tests.id('parent'));
select throws_ok(
  format('select internal.admit_photo_upload(%L)', tests.id('parent')), '42501', null,
  'a parent cannot spend or reset their own upload allowance directly'
);
select throws_ok(
  format('select * from internal.erase_user_data(%L)', tests.id('parent')), '42501', null,
  'a parent cannot erase data behind the erase function''s back'
);
select throws_ok(
  format('select * from internal.forget_photos(array[%L]::uuid[])', tests.id('photo')), '42501', null,
  'a parent cannot forget a photo'
);
select throws_ok(
  'select * from internal.photo_upload_attempts', '42501', 'permission denied for schema internal',
  'a parent cannot read the upload attempts'
);
select throws_ok(
  'select * from internal.deleted_data', '42501', 'permission denied for schema internal',
  'a parent cannot read the record of deletions'
);

select tests.authenticate_as_anon();
select throws_ok(
  'select * from internal.photos_due_for_deletion(10)', '42501', null, 'anon cannot list the photos due'
);
select throws_ok(
  format('select * from internal.user_storage_objects(%L)', tests.id('parent')), '42501', null,
  'anon cannot list a parent''s storage objects'
);
select throws_ok(
  'select * from internal.photo_settings', '42501', 'permission denied for schema internal',
  'anon cannot read the photo settings'
);

select tests.authenticate_as_service();
select throws_ok(
  format('select * from internal.erase_user_data(%L)', tests.id('parent')), '42501', null,
  'service_role cannot erase a parent''s data in SQL'
);
select throws_ok(
  'select * from internal.orphaned_photo_objects(10)', '42501', null, 'service_role cannot list orphaned objects'
);
select throws_ok(
  'update internal.photo_settings set uploads_per_window = 1000', '42501', 'permission denied for schema internal',
  'service_role cannot raise the upload limit'
);
select tests.clear_authentication();

select is(
  (select count(*) from internal.photo_upload_attempts where user_id = tests.id('parent')), 1::bigint,
  'the refused calls changed nothing: the parent still has their one upload attempt'
);

select * from finish();
rollback;
