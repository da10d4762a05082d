-- Project tables owned by postgres (what migrations create) reference auth.users with on delete cascade, and a
-- user deleted by Auth takes their rows with them.
begin;
select plan(5);

select lives_ok(
  $$create table public.bootstrap_test_profiles (
      user_id uuid primary key references auth.users (id) on delete cascade,
      display_name text not null
    )$$,
  'postgres can create a table with a foreign key to auth.users'
);

select is(
  (select tableowner::text from pg_catalog.pg_tables where schemaname = 'public' and tablename = 'bootstrap_test_profiles'),
  'postgres',
  'the referencing table belongs to postgres, as after a migration'
);

select lives_ok(
  $$insert into auth.users (id, email) values ('c3d4e5f6-0000-4000-8000-00000000000a', 'cascade@example.test')$$,
  'postgres can insert a user the way seeds and tests do'
);

insert into public.bootstrap_test_profiles (user_id, display_name)
values ('c3d4e5f6-0000-4000-8000-00000000000a', 'Cascade');

select lives_ok(
  $$delete from auth.users where id = 'c3d4e5f6-0000-4000-8000-00000000000a'$$,
  'deleting a referenced user succeeds'
);

select is(
  (select count(*) from public.bootstrap_test_profiles),
  0::bigint,
  'the user''s rows are deleted with the user'
);

select * from finish();
rollback;
