-- Each delivery carries its own retry schedule: how often sending it failed, when it may be
-- tried next, and the last error. A row that keeps failing ends `failed` (after a bounded number
-- of attempts or a day) instead of being retried forever, and one failing recipient no longer
-- holds back the others. SQLite cannot widen a CHECK in place, so the table is rebuilt.
CREATE TABLE deliveries_new (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    payload      TEXT NOT NULL,
    subjects     TEXT NOT NULL DEFAULT '[]',
    attachment_name TEXT,
    attachment   BLOB,
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sent', 'skipped', 'failed')),
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    platform_message_id TEXT,
    claimed      INTEGER NOT NULL DEFAULT 0,
    -- Failed sends so far.
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- When it may be sent (next): `due_at` at first, later the retry schedule's next instant.
    next_attempt_at INTEGER NOT NULL,
    last_error   TEXT,
    UNIQUE (team_id, kind, recipient, slot)
);
INSERT INTO deliveries_new (id, workspace_id, team_id, kind, recipient, slot, due_at, payload,
    subjects, attachment_name, attachment, state, created_at, sent_at, platform_message_id,
    claimed, attempts, next_attempt_at, last_error)
SELECT id, workspace_id, team_id, kind, recipient, slot, due_at, payload, subjects,
    attachment_name, attachment, state, created_at, sent_at, platform_message_id, claimed, 0,
    due_at, NULL
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_by_team ON deliveries (team_id, kind, slot);
