-- `kr remove` archives a key result instead of deleting it with its history; `kr restore`
-- brings it back. Every read of key results skips archived ones.
ALTER TABLE key_results ADD COLUMN archived_at TEXT;

-- A check-in its author took back shortly after making it (`/okr undo`). It leaves the history
-- (so scores, charts and exports no longer see it) but is kept here, for the record.
CREATE TABLE withdrawn_check_ins (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kr_id            INTEGER NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    author           TEXT NOT NULL,
    value            REAL NOT NULL,
    confidence       INTEGER,
    note             TEXT,
    source           TEXT NOT NULL,
    idempotency_key  TEXT,
    created_at       TEXT NOT NULL,
    withdrawn_at     TEXT NOT NULL
);
CREATE INDEX withdrawn_check_ins_by_workspace ON withdrawn_check_ins (workspace_id);
