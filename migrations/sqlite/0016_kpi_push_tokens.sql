-- A KPI may take readings by push (`POST /kpis/<id>/readings`) with its own bearer token. Only
-- the token's SHA-256 is kept: the token is shown once, when created or rotated.
ALTER TABLE kpis ADD COLUMN push_token_sha256 TEXT;
