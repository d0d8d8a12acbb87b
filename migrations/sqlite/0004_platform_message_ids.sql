-- The platform's id of what a delivery became (a Discord message id), so that a digest posted
-- again the same day can edit the earlier message instead of adding one.
ALTER TABLE deliveries ADD COLUMN platform_message_id TEXT;
