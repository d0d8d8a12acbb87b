-- Schedules, the delivery ledger and alerts (PRODUCT.md sections 4 and 5).

-- One row per team and kind of scheduled work. `next_due_at` (unix seconds, UTC) is what the
-- scheduler's tick looks up through an index, so finding due work never scans all teams.
CREATE TABLE schedules (
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('prompt', 'reminder', 'digest', 'sweep')),
    cron         TEXT NOT NULL,
    next_due_at  INTEGER NOT NULL,
    PRIMARY KEY (team_id, kind)
);
CREATE INDEX schedules_due ON schedules (next_due_at);

-- The ledger: everything sent on a schedule (or by an event) is recorded here in the same
-- transaction that decides to send it, and marked sent once delivered. The unique key makes a
-- second decision for the same slot a no-op.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    -- "user:<id>" or "channel:<name>".
    recipient    TEXT NOT NULL,
    -- The scheduled instant this belongs to (unix seconds), or the event's instant.
    slot         INTEGER NOT NULL,
    -- When it may go out (a snooze puts it a day later).
    due_at       INTEGER NOT NULL,
    -- The rendered message (JSON), fixed at decision time.
    payload      TEXT NOT NULL,
    -- Key results this delivery is about (JSON array of ids): prompts track ignored streaks.
    subjects     TEXT NOT NULL DEFAULT '[]',
    -- A chart or other file that rides along (PNG bytes), kept beside the JSON payload.
    attachment_name TEXT,
    attachment   BLOB,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'skipped')),
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    UNIQUE (team_id, kind, recipient, slot)
);
CREATE INDEX deliveries_pending ON deliveries (due_at) WHERE state = 'pending';
CREATE INDEX deliveries_by_team ON deliveries (team_id, kind, slot);

-- One open alert per subject and kind.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('kr-at-risk', 'kpi-out-of-range', 'stale')),
    subject      INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    -- Opened alerts are announced by the scheduler, several in one message, so that many key
    -- results going red at once (a bulk update, time passing) make one message, not a storm.
    announced    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (workspace_id, kind, subject) WHERE state <> 'resolved';
CREATE INDEX alerts_unannounced ON alerts (team_id) WHERE state = 'open' AND announced = 0;

-- Prompts a key result has ignored in a row; reset by any check-in. At 3 the lead is told.
ALTER TABLE key_results ADD COLUMN ignored_prompts INTEGER NOT NULL DEFAULT 0;

-- The objective scores the last digest showed, for the "change since last digest" arrows.
CREATE TABLE digest_marks (
    objective_id INTEGER PRIMARY KEY REFERENCES objectives(id) ON DELETE CASCADE,
    score        REAL NOT NULL,
    at           INTEGER NOT NULL
);
