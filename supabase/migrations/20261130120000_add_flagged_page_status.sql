-- A page the image provider refused twice on content grounds (once with the scene's own prompt, once softened)
-- is `flagged`: held for an operator, shown as such to the parent, and never retried on its own.
--
-- Its own migration: a new enum value cannot be used in the transaction that adds it, and the next migration
-- uses it.
alter type public.page_status add value if not exists 'flagged';
