-- A claim on a delivery lasts a while, not forever: a process killed between sending and
-- marking sent leaves a claim that expires, and whichever process delivers next retries the row
-- with the same id as nonce, so the platform shows it once.
ALTER TABLE deliveries ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
