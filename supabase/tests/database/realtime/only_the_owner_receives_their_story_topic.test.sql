-- Realtime authorises a private channel by setting realtime.topic and selecting from realtime.messages as the
-- joining user: the story's owner may join story:<id>, another parent and a visitor may not, and the owner may not
-- join the topic of someone else's story.
begin;
select plan(5);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.remember('other_story', tests.create_preview(tests.id('other')));
insert into realtime.messages (topic, extension, event, payload, private)
values ('story:' || tests.id('story'), 'broadcast', 'authorization_probe', '{}', true),
       ('story:' || tests.id('other_story'), 'broadcast', 'authorization_probe', '{}', true);

select tests.authenticate_as(tests.id('owner'));
select set_config('realtime.topic', 'story:' || tests.id('story'), true);
select isnt_empty(
  $$select id from realtime.messages where event = 'authorization_probe' and topic = realtime.topic()$$,
  'the owner may read their story''s topic'
);
select set_config('realtime.topic', 'story:' || tests.id('other_story'), true);
select is_empty(
  $$select id from realtime.messages$$,
  'the owner may not read the topic of another user''s story'
);

select tests.authenticate_as(tests.id('other'));
select set_config('realtime.topic', 'story:' || tests.id('story'), true);
select is_empty($$select id from realtime.messages$$, 'another user may not read the owner''s story topic');

select tests.authenticate_as_anon();
select set_config('realtime.topic', 'story:' || tests.id('story'), true);
select is_empty($$select id from realtime.messages$$, 'anon may not read the owner''s story topic');

select tests.authenticate_as(tests.id('owner'));
select set_config('realtime.topic', 'user:' || tests.id('owner'), true);
select is_empty($$select id from realtime.messages$$, 'the policy opens no topic other than story:<id>');
select tests.clear_authentication();

select * from finish();
rollback;
