-- Status reports and the rollup read only (key result, time, value) of a cycle's check-ins:
-- a covering index makes that a range scan that never touches the table.
CREATE INDEX check_ins_points ON check_ins (workspace_id, kr_id, created_at, value);
