-- Where the job's end is POSTed (the generate request's webhook_url), kept with the job so
-- an end after a restart, or on a cluster's worker, is still delivered.
ALTER TABLE jobs ADD COLUMN webhook_url TEXT
