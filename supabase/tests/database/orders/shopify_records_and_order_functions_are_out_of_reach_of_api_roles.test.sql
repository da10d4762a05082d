-- The audit trail of Shopify webhooks (internal.shopify_events) and the privacy requests with their exports
-- (internal.privacy_requests) are for operators only: anon, a signed-in parent and the service role are
-- refused with "permission denied", not shown an empty result. None of the order and privacy functions is
-- executable by an API role; the webhook and maintenance call them as postgres.
begin;
select plan(13);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'owner@example.com');
select internal.record_data_request(tests.shop(), 'request-1', '7001', '{}', tests.delivery_headers('request-1'));

create temporary table order_functions on commit drop as
  select unnest(array[
    'internal.record_shopify_event(text, text, text, jsonb, text, jsonb)',
    'internal.start_pending_prints()',
    'internal.record_order_paid(text, text, text, text, boolean, text, text, text, jsonb)',
    'internal.record_order_cancelled(text, text, text, text, jsonb)',
    'internal.customer_orders(text, text, text[])',
    'internal.record_data_request(text, text, text, text[], jsonb)',
    'internal.record_redaction(text, text, text, text, text[], jsonb)',
    'internal.pending_redactions(integer)',
    'internal.complete_redaction(uuid)',
    'internal.erase_user_data(uuid, text)'
  ]) as signature;

select is(
  (select count(*) from order_functions f where to_regprocedure(f.signature) is not null), 10::bigint,
  'the ten order and privacy functions exist under these signatures'
);
select is_empty(
  $$select f.signature || ' by ' || r.role
      from order_functions f, unnest(array['anon', 'authenticated', 'service_role']) as r(role)
     where has_function_privilege(r.role, to_regprocedure(f.signature), 'execute')$$,
  'no API role may execute any of them'
);
select is_empty(
  $$select r.role || ' on ' || t.relation
      from unnest(array['anon', 'authenticated', 'service_role']) as r(role),
           unnest(array['internal.shopify_events', 'internal.privacy_requests']) as t(relation)
     where has_table_privilege(r.role, t.relation, 'select, insert, update, delete')$$,
  'no API role holds any privilege on the webhook events or the privacy requests'
);

select tests.authenticate_as_anon();
select throws_ok('select * from internal.shopify_events', '42501', 'permission denied for schema internal',
  'anon cannot read the webhook events');
select throws_ok('select export from internal.privacy_requests', '42501', 'permission denied for schema internal',
  'anon cannot read the privacy requests');
select throws_ok(
  $$select internal.record_order_paid('talecraft-test.myshopify.com', 'gid://shopify/Order/2', '2', '#2', false,
                                      null, null, null, '{}')$$,
  '42501', null, 'anon cannot record a paid order behind the webhook''s back'
);

select tests.authenticate_as(tests.id('owner'));
select throws_ok('select * from internal.shopify_events', '42501', 'permission denied for schema internal',
  'the buyer cannot read the events of their own order');
select throws_ok('select export from internal.privacy_requests', '42501', 'permission denied for schema internal',
  'the buyer cannot read the data export that names them');
select throws_ok(
  format($$select internal.erase_user_data(%L, 'customer_redacted')$$, tests.id('owner')),
  '42501', null, 'the buyer cannot call the erasure directly'
);

select tests.authenticate_as_service();
select throws_ok('select * from internal.shopify_events', '42501', 'permission denied for schema internal',
  'service_role cannot read the webhook events');
select throws_ok('select export from internal.privacy_requests', '42501', 'permission denied for schema internal',
  'service_role cannot read the privacy requests');
select throws_ok(
  'select * from internal.pending_redactions(10)', '42501', null,
  'service_role cannot list the pending redactions'
);
select tests.clear_authentication();

-- postgres, as the webhook runs, reads what the refusals above kept hidden.
select results_eq(
  $$select (select count(*) from internal.shopify_events), (select count(*) from internal.privacy_requests)$$,
  $$values (2::bigint, 1::bigint)$$,
  'postgres reads the two events and the privacy request'
);

select * from finish();
rollback;
