-- How a note reached the board: written in the chat, on the web pages without an account, or
-- heard in person at the stand and typed in by an ambassador. Counted apart in progress,
-- exports and the council's report; web and in-person notes have no author_id.
ALTER TABLE notes ADD COLUMN origin TEXT NOT NULL DEFAULT 'chat'
    CHECK (origin IN ('chat', 'web', 'in_person'));
