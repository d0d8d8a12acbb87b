-- KPIs: the numbers a team watches all year, each with a healthy range. Not bound to a cycle.
-- The two latest readings ride on the row, so recording one and showing the trend never read
-- the history.
CREATE TABLE kpis (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id         INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    -- Folded for uniqueness in any script (the service folds; SQLite's NOCASE is ASCII only).
    name_key        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    better          TEXT NOT NULL CHECK (better IN ('higher', 'lower')),
    min_value       REAL,
    max_value       REAL,
    owner           TEXT,
    latest_value    REAL,
    latest_at       TEXT,
    previous_value  REAL,
    previous_at     TEXT,
    archived_at     TEXT,
    created_at      TEXT NOT NULL,
    CHECK (min_value IS NOT NULL OR max_value IS NOT NULL),
    CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value)
);
CREATE UNIQUE INDEX kpis_name ON kpis (team_id, name_key) WHERE archived_at IS NULL;
CREATE INDEX kpis_by_workspace ON kpis (workspace_id);

-- Append-only, like check-ins.
CREATE TABLE kpi_readings (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kpi_id       INTEGER NOT NULL REFERENCES kpis(id) ON DELETE CASCADE,
    value        REAL NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('manual', 'http', 'push', 'import')),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX kpi_readings_by_kpi ON kpi_readings (kpi_id, created_at);

-- Objectives started from (or linked to) a KPI.
CREATE TABLE kpi_links (
    kpi_id       INTEGER NOT NULL REFERENCES kpis(id) ON DELETE CASCADE,
    objective_id INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    PRIMARY KEY (kpi_id, objective_id)
);
CREATE INDEX kpi_links_by_objective ON kpi_links (objective_id);

-- A key result started from a KPI (`/kpi okr`) follows it: each reading is checked in on it.
ALTER TABLE key_results ADD COLUMN kpi_id INTEGER REFERENCES kpis(id);
CREATE INDEX key_results_by_kpi ON key_results (kpi_id) WHERE kpi_id IS NOT NULL;
