-- The documented Broadcast-from-Database trigger: realtime.broadcast_changes(topic, TG_OP, TG_OP, TG_TABLE_NAME,
-- TG_TABLE_SCHEMA, NEW, OLD) stores {old_record, record, operation, table, schema} as a private message.
begin;
select plan(7);

create table public.bootstrap_test_books (id integer primary key, title text not null);

create function public.bootstrap_test_broadcast_book()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'bootstrap-test-book:' || coalesce(new.id, old.id)::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old
  );
  return null;
end
$$;

create trigger bootstrap_test_broadcast_book
  after insert or update or delete on public.bootstrap_test_books
  for each row execute function public.bootstrap_test_broadcast_book();

insert into public.bootstrap_test_books (id, title) values (7, 'Draft');
update public.bootstrap_test_books set title = 'Final' where id = 7;
delete from public.bootstrap_test_books where id = 7;

select results_eq(
  $$select event, private, extension from realtime.messages where topic = 'bootstrap-test-book:7' order by payload ->> 'operation'$$,
  $$values ('DELETE'::text, true, 'broadcast'::text), ('INSERT', true, 'broadcast'), ('UPDATE', true, 'broadcast')$$,
  'one private broadcast per change, with the operation as event'
);
select is(
  (select payload - 'id' from realtime.messages where topic = 'bootstrap-test-book:7' and event = 'INSERT'),
  '{"old_record": null, "record": {"id": 7, "title": "Draft"}, "operation": "INSERT",
    "table": "bootstrap_test_books", "schema": "public"}'::jsonb,
  'an INSERT carries the new row and a null old_record'
);
select is(
  (select payload -> 'old_record' from realtime.messages where topic = 'bootstrap-test-book:7' and event = 'UPDATE'),
  '{"id": 7, "title": "Draft"}'::jsonb,
  'an UPDATE carries the old row'
);
select is(
  (select payload -> 'record' from realtime.messages where topic = 'bootstrap-test-book:7' and event = 'UPDATE'),
  '{"id": 7, "title": "Final"}'::jsonb,
  'an UPDATE carries the new row'
);
select is(
  (select payload -> 'record' from realtime.messages where topic = 'bootstrap-test-book:7' and event = 'DELETE'),
  'null'::jsonb,
  'a DELETE carries a null record'
);

select throws_ok(
  $$select realtime.broadcast_changes('t', 'e', 'INSERT', 'x', 'public', null::record, null::record, 'STATEMENT')$$,
  '22023', null,
  'statement-level use is refused'
);
select throws_ok(
  $$select realtime.broadcast_changes('t', 'e', 'TRUNCATE', 'x', 'public', null::record, null::record)$$,
  '22023', null,
  'an operation other than INSERT, UPDATE or DELETE is refused'
);

select * from finish();
rollback;
