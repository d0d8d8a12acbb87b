-- When a team's channel may be posted to, in its own zone (`09:00-18:00 Mon-Fri`, or `always`):
-- alerts, digests and the cycle close decided outside these hours wait for the next opening.
ALTER TABLE teams ADD COLUMN working_hours TEXT NOT NULL DEFAULT '09:00-18:00 Mon-Fri';
