-- The eight themes of the catalogue. Their texts and scenes live in themes/<id>.json; these rows are what the
-- API lists and what stories reference.
insert into public.themes (id, title, description, min_age, max_age)
values
  ('enchanted_forest', 'Enchanted Forest', 'A walk among whispering trees leads to a friend who needs help.', 3, 8),
  ('magic_castle', 'Magic Castle', 'A castle of moving stairs and a kingdom that needs a kind ruler for a day.', 4, 9),
  ('ocean_explorer', 'Ocean Explorer', 'A dive beneath the waves to find a lost song of the sea.', 3, 8),
  ('cosmic_dreamer', 'Cosmic Adventure', 'A rocket ride past friendly planets to light a fading star.', 5, 10),
  ('mighty_guardian', 'Mighty Guardian', 'A town''s youngest guardian learns that courage can be gentle.', 4, 9),
  ('birthday_magic', 'Birthday Magic', 'A birthday wish opens a door to a party like no other.', 3, 8),
  ('safari_adventure', 'Safari Adventure', 'Across the savanna to help a herd find its way to water.', 3, 8),
  ('dream_weaver', 'Dream Weaver', 'At bedtime, a thread of moonlight weaves dreams for the whole town.', 4, 9)
on conflict (id) do update
  set title = excluded.title, description = excluded.description,
      min_age = excluded.min_age, max_age = excluded.max_age;
