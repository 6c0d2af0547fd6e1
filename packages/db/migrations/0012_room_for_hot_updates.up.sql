-- Leave room in each page for the rows' next versions. Claiming a delivery sets only
-- locked_until and finishing a message only its status, neither indexed: with room on
-- the page PostgreSQL updates such a row in place (a HOT update) instead of adding an
-- entry for the new version to every index of the table. Applies to pages written from
-- now on.
ALTER TABLE deliveries SET (fillfactor = 80);
ALTER TABLE messages SET (fillfactor = 80);
