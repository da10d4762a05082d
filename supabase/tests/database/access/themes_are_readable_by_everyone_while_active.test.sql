-- The theme catalogue is public: visitors and signed-in users list the active themes, and neither sees a theme
-- that was switched off. The service role sees the whole catalogue.
begin;
select plan(6);

update public.themes set is_active = false where id = 'dream_weaver';
create temporary table active_themes on commit drop as select id from public.themes where is_active;
grant select on active_themes to anon, authenticated;
select tests.remember('reader', tests.create_user('reader@example.com'));

select tests.authenticate_as_anon();
select set_eq('select id from public.themes', 'select id from active_themes', 'anon lists every active theme');
select is_empty($$select id from public.themes where id = 'dream_weaver'$$, 'anon does not see an inactive theme');

select tests.authenticate_as(tests.id('reader'));
select set_eq('select id from public.themes', 'select id from active_themes', 'a signed-in user lists every active theme');
select is_empty($$select id from public.themes where id = 'dream_weaver'$$, 'a signed-in user does not see an inactive theme');

select tests.authenticate_as_service();
select ok(
  exists (select 1 from public.themes where id = 'dream_weaver'),
  'the service role sees inactive themes too'
);
select tests.clear_authentication();

select ok((select count(*) from active_themes) > 0, 'the catalogue has active themes to list');

select * from finish();
rollback;
