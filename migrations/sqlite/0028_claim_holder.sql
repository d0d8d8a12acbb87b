-- A claim is a lease: who holds it (a process id, `Dispatcher::holder`) as well as until when.
-- A process settles or gives back only the rows it holds, or whose lease ran out unheld.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
