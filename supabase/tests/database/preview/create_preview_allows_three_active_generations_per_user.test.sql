-- A parent may have at most three generations queued or processing: the fourth is refused (TC429) until one
-- of them finishes. The limit is per parent.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('first', tests.create_preview(tests.id('owner')));
select tests.create_preview(tests.id('owner'));
select tests.create_preview(tests.id('owner'));

select throws_ok(
  format($$select tests.create_preview(%L)$$, tests.id('owner')),
  'TC429', 'too many active generations',
  'a fourth active generation is refused with TC429'
);
select is((select count(*) from public.stories where user_id = tests.id('owner')), 3::bigint, 'the refused request created no story');
select lives_ok(format($$select tests.create_preview(%L)$$, tests.id('other')), 'another parent is not held back by the first one''s limit');

select tests.draw_preview(tests.id('first'));
select lives_ok(
  format($$select tests.create_preview(%L)$$, tests.id('owner')),
  'once one preview completes, the parent may start another'
);
select is((select count(*) from public.stories where user_id = tests.id('owner')), 4::bigint, 'the new story exists');

select * from finish();
rollback;
