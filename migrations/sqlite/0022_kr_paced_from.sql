-- The day a key result's pace counts from when a lead set one (`from:` on kr add or edit,
-- YYYY-MM-DD); NULL: the day it was added (docs/scoring.md, "Expected progress").
ALTER TABLE key_results ADD COLUMN paced_from TEXT;
