-- customers/redact is recorded, then carried out by maintenance: pending_redactions lists it with the parents
-- whose books the customer's orders bought (found by customer id and by the order ids named), so their files
-- can be removed first; complete_redaction then erases those parents' rows (stories, pages, jobs, photos),
-- records each erasure as customer_redacted, strips the customer's address and id from their orders, and
-- marks the request done. Another customer and their parent are left alone.
begin;
select plan(11);

select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('guest_parent', tests.create_user('guest@example.com'));
select tests.remember('other_parent', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.remember('guest_story', tests.create_preview(tests.id('guest_parent')));
select tests.remember('other_story', tests.create_preview(tests.id('other_parent')));
select tests.draw_preview(id) from public.stories;
select tests.pay(tests.id('story')::text, '1001', '7001', 'customer@example.com');
select tests.pay(tests.id('guest_story')::text, '1002', null, 'customer@example.com');
select tests.pay(tests.id('other_story')::text, '1003', '7002', 'other@example.com');

create temporary table other_order_before on commit drop as
  select * from public.orders where shopify_order_id = '1003';

select is(tests.redact_customer('7001', '{1002}'), 'redaction_recorded', 'the redaction is recorded');
select results_eq(
  $$select request_id, (select array_agg(u order by u) from unnest(user_ids) as u)
      from internal.pending_redactions(10)$$,
  $$select tests.privacy_request_id('customer_redact'),
           (select array_agg(u order by u) from unnest(array[tests.id('parent'), tests.id('guest_parent')]) as u)$$,
  'it is pending, covering the parents of the customer''s order and of the order Shopify named'
);

select internal.complete_redaction(tests.privacy_request_id('customer_redact'));

select is_empty(
  $$select id from public.stories where user_id in (tests.id('parent'), tests.id('guest_parent'))
    union all select id from public.photos where user_id in (tests.id('parent'), tests.id('guest_parent'))$$,
  'their stories and photos are gone'
);
select is(
  (select count(*) from public.story_pages p
    where not exists (select 1 from public.stories s where s.id = p.story_id))
    + (select count(*) from public.generation_jobs j
        where not exists (select 1 from public.stories s where s.id = j.story_id)),
  0::bigint,
  'no page or job outlives its story'
);
select set_eq(
  $$select shopify_order_id, story_id, user_id, shopify_customer_id, customer_email from public.orders
     where shopify_order_id in ('1001', '1002')$$,
  $$values ('1001', null::uuid, tests.id('parent'), null::text, null::text),
           ('1002', null, tests.id('guest_parent'), null, null)$$,
  'their orders are kept without the customer''s address or id'
);
select set_eq(
  'select subject_id, reason, details from internal.deleted_data',
  $$values (tests.id('parent'), 'customer_redacted',
            '{"photos": 1, "stories": 1, "upload_attempts": 0, "orders_anonymised": 1}'::jsonb),
           (tests.id('guest_parent'), 'customer_redacted',
            '{"photos": 1, "stories": 1, "upload_attempts": 0, "orders_anonymised": 1}'::jsonb)$$,
  'each parent''s erasure is recorded as customer_redacted'
);
select is(
  (select completed_at from internal.privacy_requests where kind = 'customer_redact'), now(),
  'the request is done'
);
select is_empty('select request_id from internal.pending_redactions(10)', 'and no longer pending');

select results_eq(
  $$select s.id, (select count(*) from public.story_pages p where p.story_id = s.id), s.photo_id is not null
      from public.stories s$$,
  $$values (tests.id('other_story'), 11::bigint, true)$$,
  'the other customer''s parent keeps their story, its pages and its photo'
);
select set_eq(
  $$select * from public.orders where shopify_order_id = '1003'$$, 'select * from other_order_before',
  'the other customer''s order is untouched'
);

select internal.complete_redaction(tests.privacy_request_id('customer_redact'));
select is(
  (select count(*) from internal.deleted_data), 2::bigint, 'carrying the done request out again changes nothing'
);

select * from finish();
rollback;
