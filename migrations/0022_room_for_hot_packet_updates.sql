-- relay_packets and pkarr_records hold one row per key, rewritten by every newer packet (each
-- app sync, relay PUT and republish). At the default fillfactor of 100 a page has no room for
-- the new version, so most updates moved the row to another page and added an entry to its
-- primary key: 12–17% were HOT in a 100-packet sync loop. With 40% of each page kept free,
-- 96% are (the new version stays on its page, no index entry, the old one pruned in place),
-- and the two upserts of a 100-packet sync took ~1.5 ms less of ~10.
-- Applies to pages written from now on; an existing table gets it at its next rewrite.
ALTER TABLE relay_packets SET (fillfactor = 60);
ALTER TABLE pkarr_records SET (fillfactor = 60);
