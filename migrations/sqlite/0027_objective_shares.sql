-- An objective pursued by several teams (`/okr objective share`): its home team is the
-- objective's team; each contributing team is a row here. It shows in their status, digest and
-- prompts, marked shared.
CREATE TABLE objective_shares (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    objective_id INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (objective_id, team_id)
);
CREATE INDEX objective_shares_by_team ON objective_shares (team_id);
CREATE INDEX objective_shares_by_workspace ON objective_shares (workspace_id);
-- The contributing team that carries a key result of a shared objective: its prompts, reminders
-- and alerts are that team's. NULL: the objective's home team.
ALTER TABLE key_results ADD COLUMN carried_by INTEGER REFERENCES teams(id);
