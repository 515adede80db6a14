-- What happened to each job, in order (GET /api/v1/jobs/{id}/log), as in the SQLite engine.
-- ``seq`` keeps the order the lines came in, whichever replica or worker wrote them.
CREATE TABLE job_log (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    job_id text NOT NULL,
    at double precision NOT NULL,
    level text NOT NULL,
    message text NOT NULL
);
CREATE INDEX job_log_job ON job_log (job_id, seq);
