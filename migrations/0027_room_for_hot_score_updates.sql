-- A bulk evidence change (every domain's DHT confirmation going stale at once, say) rewrites a
-- row per domain in three tables: its confirmation in pkarr_publications, its score in
-- sovereignty_scores and the cached total on domain_records. At the default fillfactor of 100
-- a page has no room for the new version, so three updates in four moved the row to another
-- page and added entries to every index of the table (and their bottom-up deletion passes):
-- after a few bulk re-scores 375 of 50,000 confirmation updates and a fifth of the score and
-- domain updates had been HOT. With 40% of each page kept free (as 0022 did for the packet
-- tables) most of them are, and re-scoring 10,000 domains after one bulk change took ~1.1-1.5 s
-- instead of ~1.6-2.2 s in paired runs (`npm run bench -- scores`).
-- Applies to pages written from now on; an existing table gets it at its next rewrite.
ALTER TABLE pkarr_publications SET (fillfactor = 60);
ALTER TABLE sovereignty_scores SET (fillfactor = 60);
ALTER TABLE domain_records SET (fillfactor = 60);
