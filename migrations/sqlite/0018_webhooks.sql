-- Team webhooks (Slack, Mattermost, Microsoft Teams): digests, alerts, KPI alerts and the cycle
-- close go to each active one as well as to the team's channel. The URL is a secret: it is
-- never shown whole, logged or exported. A URL answering 404/410 `failures` times in a row is
-- disabled, and the team's leads are told.
CREATE TABLE webhooks (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    platform     TEXT NOT NULL CHECK (platform IN ('slack', 'mattermost', 'teams')),
    url          TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    disabled_at  INTEGER,
    UNIQUE (team_id, url)
);
CREATE INDEX webhooks_by_team ON webhooks (team_id);
