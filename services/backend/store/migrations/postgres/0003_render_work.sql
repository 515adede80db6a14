-- Each piece of a job's render work (a scene, the music, the composition) as a cluster's
-- workers share it: the attempt that owns it (the fencing number a stale redelivery fails)
-- and when a worker took it. The embedded backend leaves it empty.
ALTER TABLE jobs ADD COLUMN work jsonb NOT NULL DEFAULT '{}';
