-- A preview needs a photo of the requesting user: an unknown photo and another user's photo are both refused
-- as not found (TC404, hint "photo"), so the API cannot be used to learn whether someone else's photo exists.
begin;
select plan(3);

select tests.ensure_dispatch_secrets();
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('other_photo', tests.create_photo(tests.id('other')));

select is(
  tests.error_of(format($$select tests.create_preview(%L, %L)$$, tests.id('owner'), gen_random_uuid())) - 'message',
  '{"sqlstate": "TC404", "hint": "photo"}'::jsonb,
  'an unknown photo is not found (TC404, hint photo)'
);
select is(
  tests.error_of(format($$select tests.create_preview(%L, %L)$$, tests.id('owner'), tests.id('other_photo'))) - 'message',
  '{"sqlstate": "TC404", "hint": "photo"}'::jsonb,
  'another user''s photo is not found either (TC404, hint photo)'
);
select is_empty(
  $$select id from public.stories where user_id = tests.id('owner')$$,
  'no story was created'
);

select * from finish();
rollback;
