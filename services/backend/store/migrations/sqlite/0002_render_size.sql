-- The picture size a job renders at: "full" (720p) or "draft" (a quick preview), kept per job so
-- a job resumed after a change of AURORA_RENDER_SIZE still joins scenes of one size.
ALTER TABLE jobs ADD COLUMN render_size TEXT NOT NULL DEFAULT 'full';
