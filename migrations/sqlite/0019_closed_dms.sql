-- People whose direct messages refused the bot (Discord 50007): their prompts go to the team's
-- channel without trying the DM first, until `since` is 30 days old and a DM is tried again.
CREATE TABLE closed_dms (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user         TEXT NOT NULL,
    since        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user)
);
