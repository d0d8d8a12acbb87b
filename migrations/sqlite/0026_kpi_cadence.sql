-- A KPI read by hand is asked for (`docs/kpis.md`, "Asked for"): its owner is prompted in the
-- team's check-in prompt when its latest reading is older than its cadence, in days. NULL is
-- the team's check-in period.
ALTER TABLE kpis ADD COLUMN cadence_days INTEGER CHECK (cadence_days IS NULL OR cadence_days BETWEEN 1 AND 366);
-- The KPIs a prompt asks for, beside the key results in `subjects`: reminders, All no change
-- and Snooze answer for both.
ALTER TABLE deliveries ADD COLUMN kpi_subjects TEXT NOT NULL DEFAULT '[]';
