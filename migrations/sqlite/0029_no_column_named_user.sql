-- `user` is a reserved word in PostgreSQL; both backends name the column alike so that the
-- statements reading it are written once.
ALTER TABLE team_leads RENAME COLUMN user TO member;
ALTER TABLE closed_dms RENAME COLUMN user TO member;
