-- The running least-squares sums of each key result's check-ins inside its cycle, so that a
-- check-in rescores its key result from one row instead of the whole history. A cache of
-- check_ins: kept by the store as it appends, dropped when a check-in leaves the history, and
-- summed again from check_ins when the cycle's bounds it was summed for no longer hold.
-- `sums` packs the bounds and the sums into one value (its layout is in src/store/trends.rs):
-- status and the rollup read it beside every key result of a cycle, one column per row.
CREATE TABLE kr_trends (
    kr_id         INTEGER PRIMARY KEY REFERENCES key_results(id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    sums          BLOB NOT NULL
);
CREATE INDEX kr_trends_by_workspace ON kr_trends (workspace_id);
