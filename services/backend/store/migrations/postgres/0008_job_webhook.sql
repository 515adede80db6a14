-- Where the job's end is POSTed (the generate request's webhook_url), as in the SQLite engine.
ALTER TABLE jobs ADD COLUMN webhook_url text
