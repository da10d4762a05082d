-- stuck_work lists what is not moving: a page whose attempt died (its lease ended and nobody took it over)
-- and a page held for review (with the command that releases it). Healthy work is not listed: a page being
-- drawn under a live lease, pages just queued, a job making progress, a complete preview. The rows carry ids
-- and states only. Anon, a parent and another user cannot list stuck work.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
-- A cover whose worker crashed; a page held for review; a preview being drawn; a complete preview.
select tests.remember('crashed', tests.create_preview(tests.id('owner')));
select tests.claim(tests.id('crashed'), 0);
select tests.expire_delivery(tests.page_id(tests.id('crashed'), 0));
select tests.remember('held', tests.create_preview(tests.id('owner')));
select tests.draw_page(tests.id('held'), 0);
select tests.flag(tests.id('held'), 3);
select tests.remember('drawing', tests.create_preview(tests.id('other')));
select tests.draw_page(tests.id('drawing'), 0);
select tests.claim(tests.id('drawing'), 1);
select tests.remember('done', tests.create_preview(tests.id('other')));
select tests.draw_preview(tests.id('done'));

select results_eq(
  $$select * from tests.api_role_errors('select * from ops.stuck_work()', tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, a parent and another user cannot list stuck work'
);

select tests.authenticate_as_service();
create temporary table stuck on commit drop as select * from ops.stuck_work();
select tests.clear_authentication();

select set_eq(
  'select kind, id, story_id, order_id, status from stuck',
  $$values ('page_lease_expired', tests.page_id(tests.id('crashed'), 0)::text, tests.id('crashed'), null::uuid,
            'generating'),
           ('page_flagged', tests.page_id(tests.id('held'), 3)::text, tests.id('held'), null::uuid, 'flagged')$$,
  'the crashed cover and the flagged page are listed, and nothing else'
);
select is(
  (select since from stuck where kind = 'page_lease_expired'), now() - interval '1 second',
  'the dead attempt is stuck since its lease ended'
);
select is(
  (select detail from stuck where kind = 'page_flagged'),
  format('page 3 held for review; once reviewed: select internal.release_flagged_page(%L);',
         tests.page_id(tests.id('held'), 3)),
  'the flagged page comes with the command that releases it'
);
select is_empty(
  $$select 1 from stuck, public.stories s
     where s.user_id = tests.id('owner') and (stuck::text like '%' || s.child_name || '%'
                                               or stuck::text like '%' || s.title || '%')$$,
  'no row names the child or the story'
);

select * from finish();
rollback;
