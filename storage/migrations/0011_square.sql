-- The village talk on the square: notes heard in person at the stand, photos of the paper
-- board and their typing-off, invitation cards with a one-time link, and contact details
-- noted in person. Portable like the files before it.

-- A photo of the paper board, kept apart from residents' notes: who sent it is not kept, and
-- it shows nowhere public unless a moderator approved it (faces and names on paper).
CREATE TABLE board_photos (
    id               INTEGER PRIMARY KEY,
    theme_id         INTEGER NOT NULL REFERENCES themes (id),
    file_id          TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'done')),
    approved         INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
    source_update_id BIGINT  UNIQUE,
    created_at       TEXT    NOT NULL,
    done_at          TEXT
);

CREATE INDEX board_photos_queue_idx ON board_photos (theme_id, status, id);

-- A note heard in person has no writer (author_id NULL) and origin 'in_person' (migration
-- 0009); heard_in is the speaker's village ("v:<key>") or neighbourhood ("n:<key>"), when the
-- ambassador tapped one.
ALTER TABLE notes ADD COLUMN heard_in TEXT;

ALTER TABLE notes ADD COLUMN board_photo_id INTEGER REFERENCES board_photos (id);

-- When a theme was closed: the retention of contacts noted in person counts from it.
ALTER TABLE themes ADD COLUMN closed_at TEXT;

-- A printed invitation card: only the SHA-256 of its one-time token is kept, and whether it
-- was used; not by whom.
CREATE TABLE invitation_cards (
    id         INTEGER PRIMARY KEY,
    theme_id   INTEGER NOT NULL REFERENCES themes (id),
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    used_at    TEXT
);

CREATE INDEX invitation_cards_theme_idx ON invitation_cards (theme_id);

-- Contact details someone at the stand agreed to give, for one purpose: being invited to
-- this theme's tables. noted_by is the ambassador the consent was given to.
CREATE TABLE in_person_contacts (
    id         INTEGER PRIMARY KEY,
    theme_id   INTEGER NOT NULL REFERENCES themes (id),
    first_name TEXT    NOT NULL,
    phone      TEXT,
    email      TEXT,
    purpose    TEXT    NOT NULL DEFAULT 'theme_tables' CHECK (purpose IN ('theme_tables')),
    consent    TEXT    NOT NULL DEFAULT 'in_person' CHECK (consent IN ('in_person')),
    noted_by   BIGINT,
    noted_on   TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);

CREATE INDEX in_person_contacts_theme_idx ON in_person_contacts (theme_id)
