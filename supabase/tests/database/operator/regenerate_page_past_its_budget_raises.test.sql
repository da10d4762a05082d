-- A story may have three pages regenerated (internal.operator_settings), whichever pages they are: the fourth
-- regeneration of the story raises TC429 and changes nothing, while another story keeps its own budget. Anon,
-- the owner and another user cannot regenerate a page.
begin;
select plan(6);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('second_story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.draw_preview(tests.id('second_story'));
select tests.remember('page_' || n, tests.page_id(tests.id('story'), n)) from generate_series(1, 4) as n;
select tests.remember('second_story_page', tests.page_id(tests.id('second_story'), 1));

-- Three regenerations, each drawn before the next.
select tests.authenticate_as_service();
select ops.regenerate_page(tests.id('page_1'), 'ticket 1');
select tests.clear_authentication();
select tests.draw_page(tests.id('story'), 1);
select tests.authenticate_as_service();
select ops.regenerate_page(tests.id('page_2'), 'ticket 2');
select tests.clear_authentication();
select tests.draw_page(tests.id('story'), 2);
select tests.authenticate_as_service();
select ops.regenerate_page(tests.id('page_1'), 'ticket 3');
select tests.clear_authentication();
select tests.draw_page(tests.id('story'), 1);

create temporary table pages_before on commit drop as
select id, status, seed, attempts from public.story_pages where story_id = tests.id('story');

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.regenerate_page(%L, %L)', tests.id('page_4'), 'ticket 4'),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the owner and another user cannot regenerate a page'
);

select tests.authenticate_as_service();
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('page_4'), 'ticket 4')),
  jsonb_build_object(
    'sqlstate', 'TC429',
    'message', format('story %s has used its 3 page regenerations', tests.id('story')),
    'hint', 'the budget is internal.operator_settings.max_page_regenerations_per_story, the same for every story'
  ),
  'a fourth regeneration of the story raises TC429'
);
select tests.clear_authentication();

select results_eq(
  $$select id, status, seed, attempts from public.story_pages where story_id = tests.id('story') order by id$$,
  $$select * from pages_before order by id$$,
  'none of its pages changed'
);
select is(tests.message_id(tests.id('page_4')), null, 'no task was queued');
select is(
  (select count(*) from internal.operator_actions where story_id = tests.id('story')), 3::bigint,
  'only the three regenerations are recorded'
);

select tests.authenticate_as_service();
select is(
  ops.regenerate_page(tests.id('second_story_page'), 'ticket 5') ->> 'regenerations_used', '1',
  'another story keeps its own budget'
);
select tests.clear_authentication();

select * from finish();
rollback;
