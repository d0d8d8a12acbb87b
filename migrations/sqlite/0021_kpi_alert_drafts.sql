-- The objective a KPI alert's Start an OKR drafted. A second press of the button (a double
-- click, two leads at once) answers with this objective instead of drafting the same one again;
-- the draft and this record are written in one transaction. Cleared when the objective is
-- deleted, so the alert may draft again.
ALTER TABLE alerts ADD COLUMN drafted_objective_id INTEGER REFERENCES objectives(id) ON DELETE SET NULL;
