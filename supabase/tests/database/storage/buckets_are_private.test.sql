-- The four buckets exist and none is public: a child's photo and everything drawn from it is only ever handed
-- out as a short-lived signed URL. Each accepts only the file types the pipeline writes to it.
begin;
select plan(2);

select results_eq(
  $$select id, public from storage.buckets where id in ('photos', 'pages', 'previews', 'books') order by id$$,
  $$values ('books'::text, false), ('pages', false), ('photos', false), ('previews', false)$$,
  'photos, pages, previews and books all exist and are private'
);
select results_eq(
  $$select id, allowed_mime_types from storage.buckets where id in ('photos', 'pages', 'previews', 'books') order by id$$,
  $$values ('books'::text, array['application/pdf']), ('pages', array['image/jpeg', 'image/png']),
           ('photos', array['image/jpeg']), ('previews', array['image/jpeg'])$$,
  'each bucket accepts only the file types stored in it'
);

select * from finish();
rollback;
