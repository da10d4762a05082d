-- Migrations (as postgres) store secrets with vault.create_secret/update_secret, and security definer functions
-- owned by postgres read them from vault.decrypted_secrets, as the automatic-embeddings guide does.
begin;
select plan(9);

select isnt(
  vault.create_secret('http://127.0.0.1:54321', 'bootstrap_test_project_url', 'where functions live'),
  null,
  'create_secret returns the new secret''s id'
);
select results_eq(
  $$select decrypted_secret, description from vault.decrypted_secrets where name = 'bootstrap_test_project_url'$$,
  $$values ('http://127.0.0.1:54321'::text, 'where functions live'::text)$$,
  'postgres reads the secret back from vault.decrypted_secrets'
);

select vault.update_secret(
  (select id from vault.secrets where name = 'bootstrap_test_project_url'),
  'http://127.0.0.1:54999'
);
select results_eq(
  $$select decrypted_secret, name, description from vault.decrypted_secrets where name = 'bootstrap_test_project_url'$$,
  $$values ('http://127.0.0.1:54999'::text, 'bootstrap_test_project_url'::text, 'where functions live'::text)$$,
  'update_secret changes the secret and leaves omitted fields alone'
);

select vault.update_secret(
  (select id from vault.secrets where name = 'bootstrap_test_project_url'), new_name => 'bootstrap_test_renamed'
);
select is(
  (select decrypted_secret from vault.decrypted_secrets where name = 'bootstrap_test_renamed'),
  'http://127.0.0.1:54999',
  'update_secret can rename a secret without touching its value'
);

select throws_ok(
  $$select vault.create_secret('other', 'bootstrap_test_renamed')$$,
  '23505', null,
  'secret names are unique'
);
select lives_ok(
  $$select vault.create_secret('a'), vault.create_secret('b')$$,
  'unnamed secrets do not collide'
);
select throws_ok(
  $$insert into vault.secrets (secret) values ('bypass')$$,
  '42501', null,
  'postgres cannot write vault.secrets directly, only through the functions (as hosted)'
);

create function public.bootstrap_test_read_secret(secret_name text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select decrypted_secret from vault.decrypted_secrets where name = secret_name
$$;
revoke execute on function public.bootstrap_test_read_secret(text) from public, anon;
grant execute on function public.bootstrap_test_read_secret(text) to authenticated;

set local role authenticated;
select is(
  public.bootstrap_test_read_secret('bootstrap_test_renamed'),
  'http://127.0.0.1:54999',
  'a security definer function owned by postgres reads the secret for its caller'
);
reset role;

select is(
  (select secret from vault.secrets where name = 'bootstrap_test_renamed'),
  (select decrypted_secret from vault.decrypted_secrets where name = 'bootstrap_test_renamed'),
  'stand-in: the stored secret is the plain text'
);

select * from finish();
rollback;
