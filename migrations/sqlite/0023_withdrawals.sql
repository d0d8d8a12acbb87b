-- Who took a check-in back and why (`/okr checkin withdraw ... reason:`): a withdrawal stays
-- in the history, shown as withdrawn. Rows from `/okr undo` before this have neither.
ALTER TABLE withdrawn_check_ins ADD COLUMN withdrawn_by TEXT;
ALTER TABLE withdrawn_check_ins ADD COLUMN reason TEXT;
