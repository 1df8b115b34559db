-- A note its writer changed after a moderator decided on it: it waits for the moderators again
-- in the round after that decision (round = the number of decisions made before the edit),
-- until the next decision makes the round count higher. Portable like the files before it.

CREATE TABLE note_edits (
    note_id   INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    round     INTEGER NOT NULL CHECK (round >= 1),
    edited_at TEXT    NOT NULL,
    PRIMARY KEY (note_id, round)
);
