-- Follow-through to each writer (issue 15 point 5).
--
-- A purpose of its own, 'follow_up' ("horen wat er met je briefjes gebeurt"): the CHECK of
-- 0001 lists the purposes, and SQLite cannot alter a CHECK, so consents is rebuilt with the
-- wider list, the same statements on both databases. Nothing references consents, so the
-- foreign keys stay valid throughout (storage/migrations.py).
CREATE TABLE consents_new (
    user_id    BIGINT  NOT NULL REFERENCES residents (user_id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL
               CHECK (purpose IN ('theme_news', 'contact', 'show_name', 'follow_up')),
    granted    INTEGER NOT NULL CHECK (granted IN (0, 1)),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, purpose)
);
INSERT INTO consents_new (user_id, purpose, granted, updated_at)
    SELECT user_id, purpose, granted, updated_at FROM consents;
DROP TABLE consents;
ALTER TABLE consents_new RENAME TO consents;

-- Which notes a table grew from, as its ambassador said while setting it up.
CREATE TABLE talk_table_notes (
    table_id INTEGER NOT NULL REFERENCES talk_tables (id) ON DELETE CASCADE,
    note_id  INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    PRIMARY KEY (table_id, note_id)
);
CREATE INDEX talk_table_notes_note_idx ON talk_table_notes (note_id);
