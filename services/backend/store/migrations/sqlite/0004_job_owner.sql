-- Who started each job (the signed-in user's name), for "Mine", for who may act on it and for
-- fair share. NULL for a job started where nobody signs in (AURORA_AUTH=open).
ALTER TABLE jobs ADD COLUMN owner TEXT;
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, created_at DESC);
