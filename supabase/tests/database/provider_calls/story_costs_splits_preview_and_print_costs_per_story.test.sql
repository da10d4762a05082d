-- internal.story_costs reports, per story, what its provider calls cost: the free preview apart from the
-- bought book, their total, how many calls were made and how many failed. A call counts towards the job its
-- page was drawn for, and each story only carries its own calls.
begin;
select plan(2);

select tests.remember('owner', tests.create_user('owner@example.com'));
select tests.remember('other', tests.create_user('other@example.com'));
select tests.remember('bought', tests.create_preview(tests.id('owner')));
select tests.remember('previewed', tests.create_preview(tests.id('other')));
select tests.remember('untouched', tests.create_preview(tests.id('other')));

-- The bought story's preview: two pages drawn by a queued model.
select tests.draw_preview(tests.id('bought'));
select internal.record_finished_call(tests.page_id(tests.id('bought'), 0), 'generate', 'fal',
  'fal-ai/nano-banana-2/edit', '1K', 9000, 1024, 1024, 0.039);
select internal.record_finished_call(tests.page_id(tests.id('bought'), 1), 'generate', 'fal',
  'fal-ai/nano-banana-2/edit', '1K', 9500, 1024, 1024, 0.039);

-- Its book: a locked page drawn at 4K, one whose call failed, and a drawn page upscaled.
select internal.start_print_job(tests.id('bought'));
select tests.submit_page(tests.id('bought'), 6, 'req-print-6');
select internal.finish_provider_call(tests.call_id('req-print-6'), 'completed', null, 4096, 4096, 0.15);
select tests.submit_page(tests.id('bought'), 7, 'req-print-7');
select internal.finish_provider_call(tests.call_id('req-print-7'), 'failed', 'provider_error');
select internal.record_finished_call(tests.page_id(tests.id('bought'), 1), 'upscale', 'fal', 'fal-ai/aura-sr',
  'x4', 4000, 4096, 4096, 0.02);

-- The other user's preview, drawn in house at no cost.
select tests.draw_page(tests.id('previewed'), 0);
select internal.record_finished_call(tests.page_id(tests.id('previewed'), 0), 'generate', 'illustrator',
  'storybook-v1', null, 1500, 1024, 1024, 0);

select results_eq(
  $$select preview_cost_usd, book_cost_usd, total_cost_usd, calls, failed_calls from internal.story_costs
     where story_id = tests.id('bought')$$,
  $$values (0.078::numeric, 0.17::numeric, 0.248::numeric, 5::bigint, 1::bigint)$$,
  'the bought story: its preview and its book apart, the total, five calls of which one failed'
);
select results_eq(
  $$select story_id, preview_cost_usd, book_cost_usd, total_cost_usd, calls, failed_calls from internal.story_costs
     where story_id <> tests.id('bought')$$,
  $$select tests.id('previewed'), 0::numeric, 0::numeric, 0::numeric, 1::bigint, 0::bigint$$,
  'the other story carries only its own in-house call; a story with no call has no row'
);

select * from finish();
rollback;
