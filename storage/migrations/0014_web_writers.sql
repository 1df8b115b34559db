-- A note written on the web pages without an account: only the hash of the writer's browser
-- token is kept (like role invites), so the same browser can see, change and delete it.
ALTER TABLE notes ADD COLUMN web_writer TEXT;
CREATE INDEX notes_web_writer_idx ON notes (web_writer);
