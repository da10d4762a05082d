-- The hosted "on_auth_user_created" pattern: a migration (as postgres) adds a trigger on auth.users that fills
-- a public profile through a security definer function.
begin;
select plan(3);

create table public.bootstrap_test_members (id uuid primary key, email text);

create function public.bootstrap_test_handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.bootstrap_test_members (id, email) values (new.id, new.email);
  return new;
end
$$;

select lives_ok(
  $$create trigger bootstrap_test_on_auth_user_created
      after insert on auth.users
      for each row execute function public.bootstrap_test_handle_new_user()$$,
  'postgres can create a trigger on auth.users'
);

insert into auth.users (id, email, aud, role, raw_app_meta_data, raw_user_meta_data, is_anonymous, created_at, updated_at)
values ('5a6b7c8d-0000-4000-8000-0000000000b1', 'new@example.test', 'authenticated', 'authenticated',
        '{"provider": "email"}', '{}', false, now(), now());

select results_eq(
  $$select id, email from public.bootstrap_test_members$$,
  $$values ('5a6b7c8d-0000-4000-8000-0000000000b1'::uuid, 'new@example.test'::text)$$,
  'the trigger runs when Auth inserts a user'
);

select is(
  (select confirmed_at from auth.users where id = '5a6b7c8d-0000-4000-8000-0000000000b1'),
  null,
  'confirmed_at is generated from the confirmation timestamps (none yet)'
);

select * from finish();
rollback;
