-- People, not just teams (`docs/schedules-and-delivery.md`, "Each member's own hours" and "Time off").
-- A member's own time zone: their prompts and reminders come at the schedule's local time there.
CREATE TABLE members (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    member       TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    PRIMARY KEY (workspace_id, member)
);
-- Time off: days (YYYY-MM-DD, in the member's zone) on which nobody asks them anything.
CREATE TABLE away (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    member       TEXT NOT NULL,
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL,
    note         TEXT,
    set_by       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    CHECK (first_day <= last_day)
);
CREATE INDEX away_by_member ON away (workspace_id, member, last_day);
-- A team's days off: no prompts or reminders for anyone in the team on them.
CREATE TABLE holidays (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    PRIMARY KEY (team_id, day)
);
-- The one prompt owed to a member whose prompt fell on a day off: sent on their next working day.
CREATE TABLE owed_prompts (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    member       TEXT NOT NULL,
    due_at       INTEGER NOT NULL,
    -- The first prompt missed, as an instant and as the wall time where the member lived.
    missed_at    INTEGER NOT NULL,
    missed_local INTEGER NOT NULL,
    PRIMARY KEY (team_id, member)
);
CREATE INDEX owed_prompts_due ON owed_prompts (due_at);
-- A prompt's slot as a local wall time (seconds, as if UTC) in its recipient's zone: one prompt per
-- owner per occurrence of the schedule, whichever zone they were in.
ALTER TABLE deliveries ADD COLUMN local_slot INTEGER;
