-- Queue names that could escape their table names, or that are too long for them, are refused.
begin;
select plan(9);

select throws_ok(
  $$ select pgmq.create('bad;name') $$, null, 'queue name contains invalid characters: $, ;, --, or ''',
  'a semicolon is refused'
);
select throws_ok($$ select pgmq.create('bad--name') $$, null, null, 'a comment marker is refused');
select throws_ok($$ select pgmq.create('it''s') $$, null, null, 'a quote is refused');
select throws_ok($$ select pgmq.create('$name') $$, null, null, 'a dollar sign is refused');
select throws_ok($$ select pgmq.create('') $$, null, null, 'an empty name is refused');
select throws_ok(
  format('select pgmq.create(%L)', repeat('q', 48)), null,
  'queue name is too long, maximum length is 47 characters', 'a 48-character name is refused'
);
select lives_ok(format('select pgmq.create(%L)', repeat('q', 47)), 'a 47-character name is accepted');
select throws_ok(
  $$ select pgmq.send('bad;name', '{}') $$, null, null, 'other functions refuse bad names too'
);

select pgmq.create('MixedCase');
select has_table('pgmq', 'q_mixedcase', 'table names are lower-cased');

select * from finish();
rollback;
