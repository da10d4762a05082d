-- A preview needs a theme of the active catalogue: an unknown theme and a switched-off one are refused as not
-- found (TC404, hint "theme").
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
update public.themes set is_active = false where id = 'dream_weaver';

select is(
  tests.error_of(format($$select tests.create_preview(%L, null, 'no_such_theme')$$, tests.id('owner'))) - 'message',
  '{"sqlstate": "TC404", "hint": "theme"}'::jsonb,
  'an unknown theme is not found (TC404, hint theme)'
);
select is(
  tests.error_of(format($$select tests.create_preview(%L, null, 'dream_weaver')$$, tests.id('owner'))) - 'message',
  '{"sqlstate": "TC404", "hint": "theme"}'::jsonb,
  'an inactive theme is not found (TC404, hint theme)'
);
select is_empty($$select id from public.stories where user_id = tests.id('owner')$$, 'no story was created');

select * from finish();
rollback;
