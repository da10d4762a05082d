-- auth.role(), auth.email() and auth.jwt() read the same two sources as auth.uid(): the legacy per-claim
-- settings first, then the `request.jwt.claims` object.
begin;
select plan(8);

set local role authenticated;
set local request.jwt.claims =
  '{"sub": "7e2a1c55-2b9e-4a0c-8d7f-0c9d1e2f0001", "role": "authenticated", "email": "reader@example.test", "aal": "aal1"}';

select is(auth.role(), 'authenticated', 'auth.role() reads role from request.jwt.claims');
select is(auth.email(), 'reader@example.test', 'auth.email() reads email from request.jwt.claims');
select is(auth.jwt() ->> 'aal', 'aal1', 'auth.jwt() returns the whole claims object');
select is(pg_catalog.jsonb_typeof(auth.jwt()), 'object', 'auth.jwt() is jsonb');

set local request.jwt.claim.role = 'service_role';
set local request.jwt.claim.email = 'legacy@example.test';
select is(auth.role(), 'service_role', 'auth.role() prefers the legacy request.jwt.claim.role');
select is(auth.email(), 'legacy@example.test', 'auth.email() prefers the legacy request.jwt.claim.email');

set local request.jwt.claim = '{"role": "anon"}';
select is(auth.jwt() ->> 'role', 'anon', 'auth.jwt() prefers the legacy request.jwt.claim object');

set local request.jwt.claim = '';
set local request.jwt.claims = '';
select is(auth.jwt(), null, 'auth.jwt() is null without claims');

select * from finish();
rollback;
