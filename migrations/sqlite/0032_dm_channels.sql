-- Each person's direct-message channel with the bot, once Discord has opened it: shared by every
-- process on the database, so a restarted or second process does not open it again (two requests
-- per owner on the first Monday after any restart, otherwise).
CREATE TABLE dm_channels (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    member       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, member)
);
