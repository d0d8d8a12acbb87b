-- The partial indexes on alert flags name them as PostgreSQL's booleans read (`NOT announced`,
-- `recovery_pending`), so that one statement reaches them on both backends: SQLite uses a
-- partial index only for a query whose terms match the index's own.
DROP INDEX alerts_unannounced;
CREATE INDEX alerts_unannounced ON alerts (team_id) WHERE state = 'open' AND NOT announced;
DROP INDEX alerts_recovering;
CREATE INDEX alerts_recovering ON alerts (team_id) WHERE state = 'resolved' AND recovery_pending;
