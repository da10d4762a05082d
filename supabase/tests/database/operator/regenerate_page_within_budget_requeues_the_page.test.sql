-- An operator regenerates one drawn page of a preview: the page is queued again under the preview job with
-- fresh attempts and a new seed (the same seed would draw the same scene), the job and the story are being
-- drawn again and wait for this page only, and the action is recorded with its reason and the operator named
-- by talecraft.operator. Once the page is drawn, the preview is complete again. Anon, the owner and another
-- user cannot regenerate a page.
begin;
select plan(8);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('story', tests.create_preview(tests.id('owner')));
select tests.draw_preview(tests.id('story'));
select tests.remember('page', tests.page_id(tests.id('story'), 2));
create temporary table seed_before on commit drop as
select seed from public.story_pages where id = tests.id('page');

select results_eq(
  $$select * from tests.api_role_errors(
       format('select ops.regenerate_page(%L, %L)', tests.id('page'), 'ticket 4711: the face does not match'),
       tests.id('owner'), tests.id('other'))$$,
  $$values ('anon', '42501'), ('owner', '42501'), ('other user', '42501')$$,
  'anon, the owner and another user cannot regenerate a page'
);

set local talecraft.operator = 'ops-17';
select tests.authenticate_as_service();
select is(
  ops.regenerate_page(tests.id('page'), 'ticket 4711: the face does not match'),
  jsonb_build_object('page_id', tests.id('page'), 'story_id', tests.id('story'), 'page_number', 2,
                     'order_id', null, 'book_made_again', false, 'regenerations_used', 1,
                     'regenerations_allowed', 3),
  'the service role regenerates page 2: the first of the story''s three'
);
select tests.clear_authentication();

select results_eq(
  $$select status::text, attempts::int, last_error, job_id from public.story_pages where id = tests.id('page')$$,
  $$values ('queued', 0, null::text, tests.job_id(tests.id('story')))$$,
  'the page is queued again under the preview job, with fresh attempts'
);
select isnt(
  (select seed from public.story_pages where id = tests.id('page')), (select seed from seed_before),
  'with a new seed'
);
select isnt(tests.message_id(tests.id('page')), null, 'its task is in the queue');
select results_eq(
  $$select j.status::text, j.pages_completed::int, j.total_pages::int, s.status::text
      from public.generation_jobs j join public.stories s on s.id = j.story_id
     where j.id = tests.job_id(tests.id('story'))$$,
  $$values ('processing', 5, 6, 'processing')$$,
  'the preview job and the story are being drawn again, waiting for this page only'
);
select results_eq(
  $$select action, order_id, story_id, page_id, reason, performed_by from internal.operator_actions$$,
  $$values ('regenerate_page', null::uuid, tests.id('story'), tests.id('page'),
            'ticket 4711: the face does not match', 'ops-17')$$,
  'the regeneration is recorded with its reason and its operator'
);

select tests.draw_page(tests.id('story'), 2);
select results_eq(
  $$select j.status::text, s.status::text from public.generation_jobs j join public.stories s on s.id = j.story_id
     where j.id = tests.job_id(tests.id('story'))$$,
  $$values ('completed', 'completed')$$,
  'once the page is drawn, the preview is complete again'
);

select * from finish();
rollback;
