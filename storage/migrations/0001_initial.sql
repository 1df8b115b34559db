-- The first schema of buurtbot.
--
-- Kept portable so that a PostgreSQL implementation can run this same file: plain types
-- (BIGINT for Telegram ids, which outgrow 32 bits; TEXT; INTEGER 0/1 for booleans), times
-- as ISO-8601 UTC text, dates as ISO text, JSON as TEXT, CHECK constraints for enums. The
-- one SQLite habit is INTEGER PRIMARY KEY for the ids we generate ourselves.
-- One statement per semicolon: the runner splits the file on them.

CREATE TABLE residents (
    user_id           BIGINT  NOT NULL PRIMARY KEY,
    language          TEXT    NOT NULL,
    village_key       TEXT,
    neighbourhood_key TEXT,
    onboarded         INTEGER NOT NULL DEFAULT 0 CHECK (onboarded IN (0, 1)),
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at        TEXT    NOT NULL,
    last_seen_at      TEXT    NOT NULL
);

-- A row per purpose the resident ever answered; a revoked consent stays as granted = 0 so
-- that when it was given and withdrawn can still be shown.
CREATE TABLE consents (
    user_id    BIGINT  NOT NULL REFERENCES residents (user_id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('theme_news', 'contact', 'show_name')),
    granted    INTEGER NOT NULL CHECK (granted IN (0, 1)),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

CREATE TABLE contact_details (
    user_id    BIGINT NOT NULL PRIMARY KEY REFERENCES residents (user_id) ON DELETE CASCADE,
    phone      TEXT   NOT NULL,
    updated_at TEXT   NOT NULL
);

CREATE TABLE chat_state (
    chat_id    BIGINT NOT NULL PRIMARY KEY,
    flow       TEXT   NOT NULL,
    step       TEXT,
    data       TEXT   NOT NULL DEFAULT '{}',
    updated_at TEXT   NOT NULL
);

-- Handled rows stay (payload dropped) so that a redelivered update is recognised.
CREATE TABLE inbox (
    update_id   BIGINT NOT NULL PRIMARY KEY,
    chat_id     BIGINT,
    payload     TEXT,
    status      TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    received_at TEXT   NOT NULL,
    handled_at  TEXT
);

CREATE INDEX inbox_status_idx ON inbox (status, received_at, update_id);

CREATE INDEX inbox_chat_idx ON inbox (chat_id);

-- created_by has no foreign key: ambassadors who write themes need not be residents.
CREATE TABLE themes (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    title              TEXT    NOT NULL,
    invitation         TEXT    NOT NULL,
    question           TEXT    NOT NULL,
    place_kind         TEXT    NOT NULL
        CHECK (place_kind IN ('municipality', 'area', 'village', 'neighbourhood')),
    place_key          TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    starts_on          TEXT,
    ends_on            TEXT,
    quadrant_questions TEXT    NOT NULL DEFAULT '{}',
    created_by         BIGINT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);

CREATE INDEX themes_status_idx ON themes (status, place_kind, place_key);

CREATE TABLE notes (
    id               INTEGER PRIMARY KEY,
    theme_id         INTEGER NOT NULL REFERENCES themes (id),
    author_id        BIGINT  REFERENCES residents (user_id) ON DELETE CASCADE,
    quadrant         TEXT
        CHECK (quadrant IS NULL
               OR quadrant IN ('wish', 'example', 'possibility', 'question', 'other')),
    kind             TEXT    NOT NULL CHECK (kind IN ('text', 'photo', 'voice')),
    text             TEXT    NOT NULL,
    file_id          TEXT,
    status           TEXT    NOT NULL
        CHECK (status IN ('draft', 'pending', 'visible', 'hidden')),
    source_update_id BIGINT  UNIQUE,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

CREATE INDEX notes_board_idx ON notes (theme_id, status, quadrant, id DESC);

CREATE INDEX notes_author_idx ON notes (author_id);
