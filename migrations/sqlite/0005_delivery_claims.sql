-- A scheduler claims a pending delivery before sending it, so two schedulers delivering at the
-- same instant cannot both send one row. A claim held by a scheduler that died is taken over
-- when a scheduler starts.
ALTER TABLE deliveries ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;
