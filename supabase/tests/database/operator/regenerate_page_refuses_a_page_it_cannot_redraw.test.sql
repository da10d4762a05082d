-- Regeneration redraws a drawn page of a story at rest. It refuses, naming the page and what to do instead:
-- no reason (22023), an unknown page (TC404), a locked page never drawn, a page being drawn, a page held for
-- review (hint: release it), a story with other work in progress, an expired story, and a bought book whose
-- assembly failed (hint: retry the order) (TC409). Nothing is recorded and nothing queued. Anon, the owner and
-- another user cannot regenerate a page.
begin;
select plan(10);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
-- A drawn preview; one whose page 3 is held for review; one being drawn; one expired; a bought book whose
-- assembly failed.
select tests.remember('drawn', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('drawn'));
select tests.remember('held', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('held'), n) from unnest(array[0, 1, 2, 4, 5]) as n;
select tests.flag(tests.id('held'), 3);
select tests.remember('drawing', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('drawing'), 0);
select tests.remember('expired', tests.create_preview(tests.id('other')));
select tests.draw_preview(tests.id('expired'));
select tests.expire(tests.id('expired'));
select tests.remember('failed_book', tests.create_preview(tests.id('other')));
select tests.draw_preview(tests.id('failed_book'));
select tests.remember('failed_order', tests.buy_and_print(tests.id('failed_book'), '1001'));
select tests.fail_book(tests.id('failed_order'));

select tests.remember('locked', tests.page_id(tests.id('drawn'), 8));
select tests.remember('flagged', tests.page_id(tests.id('held'), 3));
select tests.remember('queued', tests.page_id(tests.id('drawing'), 2));
select tests.remember('drawing_cover', tests.page_id(tests.id('drawing'), 0));
select tests.remember('drawing_page_1', tests.page_id(tests.id('drawing'), 1));
select tests.remember('expired_page', tests.page_id(tests.id('expired'), 1));
select tests.remember('failed_book_page', tests.page_id(tests.id('failed_book'), 1));
select tests.remember('unknown', gen_random_uuid());
create temporary table tasks_before on commit drop as select count(*) as tasks from pgmq.q_page_tasks;

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.regenerate_page(%L, %L)', tests.id('locked'), 'ticket 1'),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the owner and another user cannot regenerate a page'
);

select tests.authenticate_as_service();
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('locked'), '  ')) ->> 'sqlstate', '22023',
  'a blank reason is refused'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('unknown'), 'ticket 1')) - 'hint',
  jsonb_build_object('sqlstate', 'TC404', 'message', format('page %s does not exist', tests.id('unknown'))),
  'an unknown page: TC404'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('locked'), 'ticket 1')),
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('page %s is pending: only a drawn page is regenerated', tests.id('locked')),
                     'hint', 'it was never drawn: a locked page is drawn when the book is bought'),
  'a locked page of a preview was never drawn'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('queued'), 'ticket 1')) - 'hint',
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('page %s is queued: only a drawn page is regenerated', tests.id('queued'))),
  'a page being drawn'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('flagged'), 'ticket 1')) ->> 'hint',
  format('release it instead: select internal.release_flagged_page(%L);', tests.id('flagged')),
  'a page held for review is released, not regenerated'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('drawing_cover'), 'ticket 1')) - 'hint',
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('story %s is busy: page 1 (%s) is queued', tests.id('drawing'),
                                       tests.id('drawing_page_1'))),
  'a drawn page of a story still being drawn'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('expired_page'), 'ticket 1')) - 'hint',
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('the story of page %s expired: its pictures were deleted',
                                       tests.id('expired_page'))),
  'a page of an expired story'
);
select is(
  tests.error_of(format('select ops.regenerate_page(%L, %L)', tests.id('failed_book_page'), 'ticket 1')),
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('the book of order %s could not be assembled', tests.id('failed_order')),
                     'hint', format('retry it first: select ops.retry_order(%L);', tests.id('failed_order'))),
  'a page of a bought book whose assembly failed'
);
select tests.clear_authentication();

select results_eq(
  $$select (select count(*) from internal.operator_actions), (select count(*) from pgmq.q_page_tasks)$$,
  $$select 0::bigint, tasks from tasks_before$$,
  'nothing is recorded and nothing queued'
);

select * from finish();
rollback;
