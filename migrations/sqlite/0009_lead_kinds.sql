-- Whether a lead is a person or a group is stored, not read from the spelling of its name, so
-- the core never needs to know how a platform writes a role. Rows written before this migration
-- by the Discord adapter name roles as `<@&id>`: those are the groups.
ALTER TABLE team_leads ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'
    CHECK (kind IN ('person', 'group'));
UPDATE team_leads SET kind = 'group' WHERE user LIKE '<@&%';
