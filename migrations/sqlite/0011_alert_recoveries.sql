-- Leaving red is said too: an announced alert that resolves waits here until the scheduler has
-- told the team's channel that its key result is out of red.
ALTER TABLE alerts ADD COLUMN recovery_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_recovering ON alerts (team_id) WHERE state = 'resolved' AND recovery_pending = 1;
