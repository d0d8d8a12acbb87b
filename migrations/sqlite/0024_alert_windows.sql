-- When an alert (or its recovery) may be told, in Unix seconds. One decided from a number a
-- person typed waits out the undo window, so a typo and its correction make no noise; one
-- decided out of the team's working hours waits for them. A team's alerts go out together in
-- one post once the latest of them may (or an hour after the earliest could, so that a team
-- typing all day is still told). Rows from before are told at once, as they were.
ALTER TABLE alerts ADD COLUMN announce_after INTEGER NOT NULL DEFAULT 0;
