-- A key result's points are read in (kr_id, created_at, id) order, and id was not in the index:
-- every point cost a visit to the table's heap, scattered over more pages the bigger the
-- workspace (a team's status read its 500 points 1.4x slower among 1,000 teams than among 10).
-- With id in the key and the value carried along, the points come from the index alone.
DROP INDEX check_ins_points;
CREATE INDEX check_ins_points ON check_ins (workspace_id, kr_id, created_at, id) INCLUDE (value);
