-- The texts handed to create_preview must be exactly the cover and ten pages (22023 otherwise).
begin;
select plan(2);

select tests.ensure_dispatch_secrets();
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('photo', tests.create_photo(tests.id('owner')));

select throws_ok(
  format(
    $$select internal.create_preview(%L, %L, 'enchanted_forest', 'cartoon_3d', 'Mia', 5::smallint, 'she', null, 'Mia', %L)$$,
    tests.id('owner'), tests.id('photo'), tests.page_texts() - 10
  ),
  '22023', 'a story has a cover and 10 pages',
  'ten texts are refused'
);
select is_empty($$select id from public.stories where user_id = tests.id('owner')$$, 'no story was created');

select * from finish();
rollback;
