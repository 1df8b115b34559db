-- Several bot processes (replicas) sharing one PostgreSQL database.
--
-- Each running process has a random replica id, held as an advisory lock for as long as it
-- lives. An update in the inbox and a message being sent name the replica that took them
-- in, so that the others can tell the work of a replica that died (its lock is gone) from
-- work still in progress, and take it over. On SQLite (one process) they stay empty.
-- Portable like the files before it.

ALTER TABLE inbox ADD COLUMN received_by BIGINT;

ALTER TABLE outbox ADD COLUMN claimed_by BIGINT;
