-- The core model of PRODUCT.md section 2. Every table carries workspace_id (directly or through
-- its parent) so that every query can be scoped to one workspace.

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    -- The platform's identity of the workspace: "console:acme", "discord:<guild id>".
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE teams (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL COLLATE NOCASE,
    prefix        TEXT NOT NULL COLLATE NOCASE,
    timezone      TEXT NOT NULL,
    channel       TEXT,
    -- Codes are never reused, even after an objective is removed.
    next_objective_number INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, name),
    UNIQUE (workspace_id, prefix)
);

CREATE TABLE team_leads (
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user     TEXT NOT NULL,
    PRIMARY KEY (team_id, user)
);

CREATE TABLE cycles (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL COLLATE NOCASE,
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    closed_at     TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_id, name),
    CHECK (end_date >= start_date)
);

CREATE TABLE objectives (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id       INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    cycle_id      INTEGER NOT NULL REFERENCES cycles(id),
    number        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    owner         TEXT,
    parent_id     INTEGER REFERENCES objectives(id) ON DELETE SET NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('committed', 'aspirational')),
    state         TEXT NOT NULL CHECK (state IN ('active', 'closed', 'archived')),
    next_kr_number INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    UNIQUE (team_id, number)
);
CREATE INDEX objectives_by_workspace ON objectives (workspace_id, cycle_id);
CREATE INDEX objectives_by_parent ON objectives (parent_id);

CREATE TABLE key_results (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    objective_id  INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    owner         TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('metric', 'threshold', 'milestone')),
    unit          TEXT NOT NULL,
    start_value   REAL NOT NULL,
    target        REAL NOT NULL,
    current       REAL NOT NULL,
    direction     TEXT CHECK (direction IN ('at_least', 'at_most')),
    confidence    INTEGER CHECK (confidence BETWEEN 1 AND 10),
    weight        REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
    created_at    TEXT NOT NULL,
    last_check_in_at TEXT,
    UNIQUE (objective_id, number),
    CHECK (kind <> 'metric' OR start_value <> target)
);
CREATE INDEX key_results_by_workspace ON key_results (workspace_id);
CREATE INDEX key_results_by_owner ON key_results (workspace_id, owner);

-- Append-only: a correction is a new check-in.
CREATE TABLE check_ins (
    id               INTEGER PRIMARY KEY,
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
CREATE INDEX check_ins_by_kr ON check_ins (kr_id, created_at);
CREATE UNIQUE INDEX check_ins_idempotency ON check_ins (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
