-- A purchase notice for a story that does not exist (deleted, or never made) is refused with TC404 naming it,
-- and no job is created.
begin;
select plan(2);

select tests.remember('unknown', gen_random_uuid());

select throws_ok(
  format('select internal.start_print_job(%L)', tests.id('unknown')),
  'TC404', format('story %s does not exist', tests.id('unknown')),
  'an unknown story is refused with TC404'
);
select is_empty('select 1 from public.generation_jobs', 'no job is created');

select * from finish();
rollback;
