-- A KPI may read its value from an HTTP JSON endpoint on its own cron, in the team's zone.
-- The headers (an API token) are secrets: never logged, never exported, shown masked.
ALTER TABLE kpis ADD COLUMN source_url TEXT;
ALTER TABLE kpis ADD COLUMN source_pointer TEXT;
ALTER TABLE kpis ADD COLUMN source_cron TEXT;
ALTER TABLE kpis ADD COLUMN source_headers TEXT;
ALTER TABLE kpis ADD COLUMN source_next_due INTEGER;
ALTER TABLE kpis ADD COLUMN source_error TEXT;
ALTER TABLE kpis ADD COLUMN source_error_at TEXT;
CREATE INDEX kpis_sources_due ON kpis (source_next_due)
    WHERE source_next_due IS NOT NULL AND archived_at IS NULL;
