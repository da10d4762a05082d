-- Two statuses the next migrations use:
-- - page `flagged`: a page the image provider refused twice on content grounds (once with the scene's own prompt,
--   once softened), held for an operator, shown as such to the parent, and never retried on its own;
-- - job `cancelled`: the print job of a book whose order was cancelled (not `failed`, which the parent's retry
--   would pick up again).
--
-- Their own migration: a new enum value cannot be used in the transaction that adds it.
alter type public.page_status add value if not exists 'flagged';
alter type public.job_status add value if not exists 'cancelled';
