-- Every job's record, and the render rates the ETA learns from. IF NOT EXISTS: a data dir made
-- before migrations were numbered already has these tables, and keeps them.
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    prompt TEXT NOT NULL,
    duration INTEGER NOT NULL,
    aspect_ratio TEXT NOT NULL,
    style TEXT NOT NULL,
    scene_count INTEGER NOT NULL,
    current_stage TEXT NOT NULL,
    progress REAL NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    started_at REAL,
    error TEXT,
    script TEXT,
    stage_times TEXT NOT NULL DEFAULT '{}',
    assets TEXT NOT NULL DEFAULT '{}',
    event_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC);
CREATE TABLE IF NOT EXISTS throughput (
    key TEXT PRIMARY KEY,
    value REAL NOT NULL
);
