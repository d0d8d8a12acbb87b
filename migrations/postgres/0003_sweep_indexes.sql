-- The hourly sweep of a big workspace, found by its benchmark (team_cost, 1,000 teams):
-- reopening an alert looks up the subject's latest resolved one, and the lookups walked every
-- alert of the workspace, so each cost more as alerts accumulated; and the sweep's lock on the
-- key results a team carries for another team's objective scanned the workspace's key results.
CREATE INDEX alerts_by_subject ON alerts (workspace_id, kind, subject);
CREATE INDEX key_results_carried ON key_results (carried_by) WHERE carried_by IS NOT NULL;
