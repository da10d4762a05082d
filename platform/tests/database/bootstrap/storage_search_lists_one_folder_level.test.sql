-- storage.search lists one folder level the way storage-js list() shows it: files with their metadata, deeper
-- paths collapsed into folders (null id), filtered, sorted and paged, under the caller's RLS.
begin;
select plan(8);

insert into storage.buckets (id, name) values ('bootstrap-test-list', 'bootstrap-test-list');
insert into storage.objects (bucket_id, name, metadata, created_at) values
  ('bootstrap-test-list', 'u/b.png', '{"size": 2}', '2024-01-02'),
  ('bootstrap-test-list', 'u/a.png', '{"size": 1}', '2024-01-03'),
  ('bootstrap-test-list', 'u/pages/1.png', '{"size": 3}', '2024-01-01'),
  ('bootstrap-test-list', 'u/pages/2.png', '{"size": 4}', '2024-01-01'),
  ('bootstrap-test-list', 'other/x.png', '{"size": 5}', '2024-01-01');

select results_eq(
  $$select name, id is null, metadata ->> 'size' from storage.search('u/', 'bootstrap-test-list', 100, 2)$$,
  $$values ('a.png', false, '1'), ('b.png', false, '2'), ('pages', true, null)$$,
  'files come with id and metadata, deeper paths as one folder entry, sorted by name'
);
select results_eq(
  $$select name from storage.search('', 'bootstrap-test-list')$$,
  $$values ('other'), ('u')$$,
  'the top level lists the first folder segments'
);
select results_eq(
  $$select name from storage.search('u/', 'bootstrap-test-list', 100, 2, 0, 'A')$$,
  $$values ('a.png')$$,
  'search narrows by the start of the entry name, case-insensitively'
);
select results_eq(
  $$select name from storage.search('u/', 'bootstrap-test-list', 1, 2, 1)$$,
  $$values ('b.png')$$,
  'limits and offsets page through the entries'
);
select results_eq(
  $$select name from storage.search('u/', 'bootstrap-test-list', 100, 2, 0, '', 'name', 'desc')$$,
  $$values ('pages'), ('b.png'), ('a.png')$$,
  'sortorder desc reverses the order'
);
select results_eq(
  $$select name from storage.search('u/', 'bootstrap-test-list', 100, 2, 0, '', 'created_at', 'asc')$$,
  $$values ('b.png'), ('a.png'), ('pages')$$,
  'sortcolumn created_at sorts files by creation, folders last'
);
select throws_ok(
  $$select * from storage.search('u/', 'bootstrap-test-list', 100, 2, 0, '', 'id; drop table x', 'asc')$$,
  '22023', null,
  'an unknown sort column is refused'
);

set local role authenticated;
set local request.jwt.claims = '{"sub": "33333333-3333-4333-8333-333333333333", "role": "authenticated"}';
select is_empty(
  $$select * from storage.search('u/', 'bootstrap-test-list', 100, 2)$$,
  'the caller''s RLS applies: no policy, no entries'
);

select * from finish();
rollback;
