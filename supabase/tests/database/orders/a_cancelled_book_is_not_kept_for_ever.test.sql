-- A cancelled book is a preview again: the story loses purchased_at and leaves 'processing', so the expiry
-- sweep expires it in time and internal.photo_retention lets its photo go; the child's photo is not kept for ever.
begin;
select plan(2);
select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.pay(tests.id('story')::text, '1001');
select tests.cancel('1001');
-- Well past the preview's 7 days.
select tests.expire(tests.id('story'));
select is(
  (select status::text from public.stories where id = tests.id('story')), 'expired',
  'the cancelled book''s story expires like an unbought preview'
);
select isnt(
  (select reason from internal.photo_retention r join public.stories s on s.photo_id = r.photo_id
    where s.id = tests.id('story')),
  null,
  'and its photo becomes due for deletion'
);
select * from finish();
rollback;
