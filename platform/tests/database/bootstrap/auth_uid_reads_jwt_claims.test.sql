-- auth.uid() is what every RLS policy keys on: it must read the claims object PostgREST/Storage/Realtime set
-- (`request.jwt.claims`) and the legacy per-claim setting (`request.jwt.claim.sub`) that older tests use.
begin;
select plan(6);

select is(auth.uid(), null, 'auth.uid() is null when no claims are set');

set local role authenticated;
set local request.jwt.claims = '{"sub": "4b1c6a3e-0d1f-4c52-9a47-1f0f7d1a0001", "role": "authenticated"}';
select is(auth.uid(), '4b1c6a3e-0d1f-4c52-9a47-1f0f7d1a0001'::uuid,
  'auth.uid() reads sub from request.jwt.claims');

set local request.jwt.claims = '';
select is(auth.uid(), null, 'an empty claims setting (what a finished transaction leaves) reads as no user');

set local request.jwt.claim.sub = '4b1c6a3e-0d1f-4c52-9a47-1f0f7d1a0002';
select is(auth.uid(), '4b1c6a3e-0d1f-4c52-9a47-1f0f7d1a0002'::uuid,
  'auth.uid() reads the legacy request.jwt.claim.sub');

set local request.jwt.claims = '{"sub": "4b1c6a3e-0d1f-4c52-9a47-1f0f7d1a0001"}';
select is(auth.uid(), '4b1c6a3e-0d1f-4c52-9a47-1f0f7d1a0002'::uuid,
  'the legacy per-claim setting wins over the claims object, as hosted');

reset role;
select is(
  (select provolatile from pg_catalog.pg_proc where oid = 'auth.uid()'::regprocedure),
  's'::"char",
  'auth.uid() is stable, so policies can evaluate it once per statement'
);

select * from finish();
rollback;
