-- The export answered to customers/data_request (the customer's email, the child's name, age, pronouns and
-- dedication) goes when customers/redact or shop/redact is carried out.
begin;
select plan(2);
select tests.remember('parent', tests.create_user('parent@example.com'));
select tests.remember('story', tests.create_preview(tests.id('parent')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001', '7001', 'customer@example.com');
select internal.record_data_request(tests.shop(), 'request-1', '7001', '{}', tests.delivery_headers('request-1'));
select tests.redact_customer('7001');
select internal.complete_redaction(tests.privacy_request_id('customer_redact'));
select is_empty(
  $$select id from internal.privacy_requests where kind = 'data_request' and export::text ~ '(customer@example\.com|Mia)'$$,
  'after customers/redact no export holds the email or the child''s name'
);
select tests.redact_shop(tests.shop());
select internal.complete_redaction(tests.privacy_request_id('shop_redact'));
select is_empty(
  $$select id from internal.privacy_requests where kind = 'data_request' and export::text ~ 'customer@example\.com'$$,
  'after shop/redact no export of the shop holds a customer''s email'
);
select * from finish();
rollback;
