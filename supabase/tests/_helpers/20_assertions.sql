-- Test helpers for assertions pgTAP has no direct form for. Both run the statement as the caller, so they
-- observe exactly what the current role (anon, a user, service_role) would.

-- The error a statement raises, as {sqlstate, message, hint}; null when it succeeds. pgTAP's throws_ok checks
-- the code and message but not the hint, which is where create_preview names what was not found.
create or replace function tests.error_of(p_statement text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  error_state text;
  error_message text;
  error_hint text;
begin
  execute p_statement;
  return null;
exception
  when others then
    get stacked diagnostics error_state = returned_sqlstate, error_message = message_text, error_hint = pg_exception_hint;
    return pg_catalog.jsonb_build_object('sqlstate', error_state, 'message', error_message, 'hint', nullif(error_hint, ''));
end;
$$;

-- How many rows an update or delete touched; row level security makes a refused one touch none, silently.
create or replace function tests.affected_rows(p_statement text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  touched bigint;
begin
  execute p_statement;
  get diagnostics touched = row_count;
  return touched;
end;
$$;

revoke all on function tests.error_of(text), tests.affected_rows(text) from public;
grant execute on function tests.error_of(text), tests.affected_rows(text) to anon, authenticated, service_role;
