-- A cancelled order is never printed, assembled or emailed, so an operator's retry refuses it with TC409 and
-- changes nothing: not its order, story, jobs, pages, the queues or the record of operator actions. Anon,
-- the buyer and another user cannot retry an order.
begin;
select plan(3);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001');
select tests.remember('order', tests.order_id('1001'));
select tests.fail_page_for_good(tests.id('story'), 4);
select tests.cancel('1001');

-- Everything a retry could touch.
create temporary view order_state as
select (select jsonb_agg(o) from public.orders o) as orders,
       (select jsonb_agg(s) from public.stories s) as stories,
       (select jsonb_agg(j order by j.kind) from public.generation_jobs j) as jobs,
       (select jsonb_agg(p order by p.page_number) from public.story_pages p) as pages,
       (select jsonb_agg(q.msg_id order by q.msg_id) from pgmq.q_page_tasks q) as page_tasks,
       (select jsonb_agg(q.msg_id order by q.msg_id) from pgmq.q_book_tasks q) as book_tasks,
       (select jsonb_agg(e) from internal.email_outbox e) as emails,
       (select count(*) from internal.operator_actions) as actions;
create temporary table state_before on commit drop as select * from order_state;

select results_eq(
  $$select * from tests.api_role_errors(format('select ops.retry_order(%L)', tests.id('order')),
                                        tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the buyer and another user cannot retry the order'
);

select tests.authenticate_as_service();
select is(
  tests.error_of(format('select ops.retry_order(%L)', tests.id('order'))),
  jsonb_build_object('sqlstate', 'TC409',
                     'message', format('order %s was cancelled: nothing is retried for it', tests.id('order')),
                     'hint', 'a cancelled order is never printed, assembled or emailed'),
  'the service role''s retry is refused with TC409'
);
select tests.clear_authentication();

select results_eq('select * from order_state', 'select * from state_before', 'nothing changed');

select * from finish();
rollback;
