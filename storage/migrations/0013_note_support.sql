-- "Ik ook": a resident (or, later, a web browser) says a note on the board is theirs too.
-- One row per supporter and note; nobody but storage knows who. A supporter is a resident
-- (supporter_id, erased by /vergeet) or a browser (the SHA-256 of its token, for the web
-- pages to come), never both. via_note_id is the supporter's own note when they said
-- "Ja, ik ook" while writing it: deleting that note takes the support with it. Portable.

CREATE TABLE note_support (
    id           INTEGER PRIMARY KEY,
    note_id      INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    supporter_id BIGINT  REFERENCES residents (user_id) ON DELETE CASCADE,
    browser_hash TEXT,
    via_note_id  INTEGER REFERENCES notes (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    CHECK ((supporter_id IS NULL) <> (browser_hash IS NULL))
);

CREATE UNIQUE INDEX note_support_resident_idx ON note_support (note_id, supporter_id);

CREATE UNIQUE INDEX note_support_browser_idx ON note_support (note_id, browser_hash);

CREATE INDEX note_support_supporter_idx ON note_support (supporter_id);

CREATE INDEX note_support_via_idx ON note_support (via_note_id);

-- A theme's notes changed since a time, as one index range: the similar-notes index in
-- memory (bot/services/similar_notes.py) asks before every question.
CREATE INDEX notes_changed_idx ON notes (theme_id, updated_at);
