-- A KPI reading taken back (`/kpi withdraw`): it stays, shown as withdrawn in `/kpi show`, and
-- counts for nothing (the KPI's latest values, its alert, its chart and the key results that
-- follow it are as if it had never been read).
ALTER TABLE kpi_readings ADD COLUMN withdrawn_at TEXT;
ALTER TABLE kpi_readings ADD COLUMN withdrawn_by TEXT;
ALTER TABLE kpi_readings ADD COLUMN withdrawn_reason TEXT;
