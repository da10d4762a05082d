-- A bought book whose order is cancelled stops: its print job is `cancelled` (not `failed`, which the parent's
-- retry would pick up again).
--
-- Its own migration: a new enum value cannot be used in the transaction that adds it, and the next migration
-- uses it.
alter type public.job_status add value if not exists 'cancelled';
