-- Reopening an alert looks up the subject's latest resolved one: without this index the
-- lookup walked every alert of the workspace, so the hourly sweep of a big workspace slowed as
-- alerts accumulated (benchmark team_cost, 1,000 teams).
CREATE INDEX alerts_by_subject ON alerts (workspace_id, kind, subject);
