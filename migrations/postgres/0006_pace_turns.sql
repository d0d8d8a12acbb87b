-- Turns to talk to a platform, shared by every process on the database (`src/pace.rs`): Discord's
-- global limit is the bot's, and a webhook's is the webhook's, whichever process sends. Times are
-- microseconds since the Unix epoch.
CREATE TABLE pace_turns (
    key        TEXT PRIMARY KEY,
    -- The earliest moment the next turn may be taken.
    next_at    BIGINT NOT NULL,
    -- Set by a 429: nothing goes before it, a turn booked earlier included.
    held_until BIGINT NOT NULL
);
