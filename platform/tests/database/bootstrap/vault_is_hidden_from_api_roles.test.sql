-- The API roles get nothing from the vault: no reads of the view or table, no calls to the functions.
begin;
select plan(9);

select vault.create_secret('s3cr3t', 'bootstrap_test_hidden');

set local role anon;
select throws_ok('select decrypted_secret from vault.decrypted_secrets', '42501', null, 'anon cannot read vault.decrypted_secrets');
select throws_ok('select secret from vault.secrets', '42501', null, 'anon cannot read vault.secrets');
select throws_ok($$select vault.create_secret('x')$$, '42501', null, 'anon cannot call vault.create_secret');
reset role;

set local role authenticated;
select throws_ok('select decrypted_secret from vault.decrypted_secrets', '42501', null, 'authenticated cannot read vault.decrypted_secrets');
select throws_ok('select secret from vault.secrets', '42501', null, 'authenticated cannot read vault.secrets');
select throws_ok(
  $$select vault.update_secret((select gen_random_uuid()), 'x')$$,
  '42501', null,
  'authenticated cannot call vault.update_secret'
);
reset role;

select ok(not pg_catalog.has_schema_privilege('anon', 'vault', 'usage'), 'anon has no usage on schema vault');
select ok(not pg_catalog.has_schema_privilege('authenticated', 'vault', 'usage'), 'authenticated has no usage on schema vault');
select is(
  (select decrypted_secret from vault.decrypted_secrets where name = 'bootstrap_test_hidden'),
  's3cr3t',
  'postgres still reads it'
);

select * from finish();
rollback;
