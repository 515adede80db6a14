-- What happened to each job, in order (GET /api/v1/jobs/{id}/log): queued, its stages, its
-- renders, retries, its end and why. Removed with the job. rowid keeps the order lines came.
CREATE TABLE job_log (
    job_id TEXT NOT NULL,
    at REAL NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX job_log_job ON job_log (job_id);
