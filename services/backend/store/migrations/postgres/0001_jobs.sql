-- Every job's record, and the render rates the ETA learns from (as in the SQLite engine).
-- ``seq`` keeps the order jobs were stored in: the tie-break between equal creation times.
CREATE TABLE jobs (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    job_id text PRIMARY KEY,
    status text NOT NULL,
    prompt text NOT NULL,
    duration integer NOT NULL,
    aspect_ratio text NOT NULL,
    style text NOT NULL,
    scene_count integer NOT NULL,
    current_stage text NOT NULL,
    progress double precision NOT NULL,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    started_at double precision,
    error text,
    script jsonb,
    stage_times jsonb NOT NULL DEFAULT '{}',
    assets jsonb NOT NULL DEFAULT '{}',
    event_id integer NOT NULL DEFAULT 0
);
CREATE INDEX jobs_created ON jobs (created_at DESC, seq DESC);
CREATE INDEX jobs_status ON jobs (status, created_at, seq);

CREATE TABLE throughput (
    key text PRIMARY KEY,
    value double precision NOT NULL
);
