-- The running least-squares sums of each key result's check-ins inside its cycle, so that a
-- check-in rescores its key result from one row instead of the whole history. A cache of
-- check_ins: kept by the store as it appends, dropped when a check-in leaves the history, and
-- summed again from check_ins when the cycle's bounds it was summed for no longer hold.
CREATE TABLE kr_trends (
    kr_id         INTEGER PRIMARY KEY REFERENCES key_results(id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- The cycle as instants ([from_at, to_at)) whose check-ins the sums hold.
    from_at       TEXT NOT NULL,
    to_at         TEXT NOT NULL,
    n             INTEGER NOT NULL,
    origin_ms     INTEGER NOT NULL,
    mean_x        REAL NOT NULL,
    mean_y        REAL NOT NULL,
    sxx           REAL NOT NULL,
    sxy           REAL NOT NULL,
    first_at      TEXT,
    last_at       TEXT
);
CREATE INDEX kr_trends_by_workspace ON kr_trends (workspace_id);
