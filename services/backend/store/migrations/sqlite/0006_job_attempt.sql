-- Which run of the job this is: 1 for the first, one more for each retry of a failed job
-- (the job keeps its id and the work it finished).
ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1
