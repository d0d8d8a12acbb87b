-- Ids are never reused. SQLite gives a plain INTEGER PRIMARY KEY the largest id plus one, so
-- after the newest row is deleted its id comes back: a check-in made after `/okr undo` got the
-- withdrawn one's id (and a second undo then collided with it in withdrawn_check_ins), and a
-- webhook added after one was removed took over the removed one's pending deliveries.
-- AUTOINCREMENT keeps the largest id ever given; SQLite cannot add it in place, so both tables
-- are rebuilt, and the counter starts above every id already given out, withdrawn ones too.
CREATE TABLE check_ins_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kr_id            INTEGER NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    author           TEXT NOT NULL,
    value            REAL NOT NULL,
    confidence       INTEGER CHECK (confidence BETWEEN 1 AND 10),
    note             TEXT CHECK (note IS NULL OR length(note) <= 1000),
    source           TEXT NOT NULL,
    idempotency_key  TEXT,
    created_at       TEXT NOT NULL
);
INSERT INTO check_ins_new (id, workspace_id, kr_id, author, value, confidence, note, source,
                           idempotency_key, created_at)
    SELECT id, workspace_id, kr_id, author, value, confidence, note, source, idempotency_key,
           created_at FROM check_ins;
DROP TABLE check_ins;
ALTER TABLE check_ins_new RENAME TO check_ins;
CREATE INDEX check_ins_by_kr ON check_ins (kr_id, created_at);
CREATE UNIQUE INDEX check_ins_idempotency ON check_ins (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX check_ins_points ON check_ins (workspace_id, kr_id, created_at, value);

CREATE TABLE webhooks_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO webhooks_new (id, workspace_id, team_id, platform, url, created_by, created_at,
                          failures, last_error, disabled_at)
    SELECT id, workspace_id, team_id, platform, url, created_by, created_at, failures,
           last_error, disabled_at FROM webhooks;
DROP TABLE webhooks;
ALTER TABLE webhooks_new RENAME TO webhooks;
CREATE INDEX webhooks_by_team ON webhooks (team_id);

-- The counters: above the largest id in use, withdrawn check-ins and the deliveries that name a
-- webhook included (a removed webhook's id may still be in the ledger).
DELETE FROM sqlite_sequence WHERE name IN ('check_ins', 'webhooks');
INSERT INTO sqlite_sequence (name, seq) VALUES
    ('check_ins', max(coalesce((SELECT max(id) FROM check_ins), 0),
                      coalesce((SELECT max(id) FROM withdrawn_check_ins), 0))),
    ('webhooks', max(coalesce((SELECT max(id) FROM webhooks), 0),
                     coalesce((SELECT max(CAST(substr(recipient, 9) AS INTEGER)) FROM deliveries
                               WHERE recipient LIKE 'webhook:%'), 0)));
