-- Local development data, loaded by `npm start` once per content (and by `supabase db reset` elsewhere).

-- The vault entries the page dispatcher and the expiry job read (see README, "Deploying"). Locally they point
-- at the local platform and its service_role key, the Supabase CLI's well-known local key. A hosted project
-- creates its own entries instead; this file is never pushed there.
select vault.create_secret('http://127.0.0.1:54321', 'project_url')
 where not exists (select 1 from vault.secrets where name = 'project_url');
select vault.create_secret(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
  'service_role_key'
)
 where not exists (select 1 from vault.secrets where name = 'service_role_key');
