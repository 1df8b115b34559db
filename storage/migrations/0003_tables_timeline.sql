-- Conversation tables (gesprekstafels) with their table card, and the shared timeline:
-- moments, who comes, and the reminders planned for them.
-- Portable like the files before it: BIGINT Telegram ids, ISO-8601 UTC text times, CHECK
-- constraints for enums, no triggers.

-- A table holds one initiative of a theme. The card is the texts below; "who commits and
-- how" is not a text but the members themselves. code opens the initiator's link.
-- initiator_id and created_by have no foreign key: an ambassador need not be a resident,
-- and erase_resident clears them itself.
CREATE TABLE talk_tables (
    id               INTEGER PRIMARY KEY,
    theme_id         INTEGER NOT NULL REFERENCES themes (id),
    code             TEXT    NOT NULL UNIQUE,
    title            TEXT    NOT NULL,
    initiator_name   TEXT    NOT NULL DEFAULT '',
    initiator_id     BIGINT,
    what             TEXT    NOT NULL DEFAULT '',
    ambitions        TEXT    NOT NULL DEFAULT '',
    agreements       TEXT    NOT NULL DEFAULT '',
    working          TEXT    NOT NULL DEFAULT '',
    capacity         INTEGER CHECK (capacity IS NULL OR capacity > 0),
    -- When the members' digest of card changes is due; NULL while nothing waits for one.
    digest_due_at    TEXT,
    created_by       BIGINT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

CREATE INDEX talk_tables_theme_idx ON talk_tables (theme_id);

CREATE INDEX talk_tables_digest_idx ON talk_tables (digest_due_at);

-- Members and the waiting list, in the order people came (seq, per table). first_name is
-- only stored for someone who agreed that the others at the table may see it.
CREATE TABLE table_members (
    table_id   INTEGER NOT NULL REFERENCES talk_tables (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES residents (user_id) ON DELETE CASCADE,
    status     TEXT    NOT NULL CHECK (status IN ('member', 'waiting')),
    commitment TEXT    NOT NULL CHECK (commitment IN ('think', 'take_part', 'connect')),
    how        TEXT    NOT NULL DEFAULT '',
    first_name TEXT,
    seq        INTEGER NOT NULL,
    joined_at  TEXT    NOT NULL,
    PRIMARY KEY (table_id, user_id)
);

CREATE INDEX table_members_user_idx ON table_members (user_id);

CREATE INDEX table_members_order_idx ON table_members (table_id, status, seq);

-- Card edits not yet told to the members; the digest names the fields once.
CREATE TABLE table_changes (
    id          INTEGER PRIMARY KEY,
    table_id    INTEGER NOT NULL REFERENCES talk_tables (id) ON DELETE CASCADE,
    field       TEXT    NOT NULL
        CHECK (field IN ('title', 'initiator', 'what', 'ambitions', 'agreements', 'working',
                         'capacity')),
    edited_by   BIGINT,
    edited_at   TEXT    NOT NULL,
    digested    INTEGER NOT NULL DEFAULT 0 CHECK (digested IN (0, 1))
);

CREATE INDEX table_changes_table_idx ON table_changes (table_id, digested, id);

-- A meeting or action moment of a theme, or of one table of it. starts_at is the UTC
-- instant; the local time people typed is shown back in the municipality's time zone.
-- sequence counts moves and cancellation, for calendar files (iCalendar SEQUENCE).
CREATE TABLE moments (
    id           INTEGER PRIMARY KEY,
    theme_id     INTEGER NOT NULL REFERENCES themes (id),
    table_id     INTEGER REFERENCES talk_tables (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('meeting', 'action', 'closing')),
    title        TEXT    NOT NULL,
    starts_at    TEXT    NOT NULL,
    place        TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'cancelled')),
    remind_theme INTEGER NOT NULL DEFAULT 0 CHECK (remind_theme IN (0, 1)),
    sequence     INTEGER NOT NULL DEFAULT 0,
    created_by   BIGINT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

CREATE INDEX moments_start_idx ON moments (status, starts_at);

CREATE INDEX moments_theme_idx ON moments (theme_id, table_id);

-- One closing meeting (slotbijeenkomst) per theme.
CREATE UNIQUE INDEX moments_one_closing_idx ON moments (theme_id)
    WHERE kind = 'closing' AND status = 'planned';

-- "ik kom" (coming = 1) or "ik kom niet" (coming = 0).
CREATE TABLE moment_rsvps (
    moment_id  INTEGER NOT NULL REFERENCES moments (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES residents (user_id) ON DELETE CASCADE,
    coming     INTEGER NOT NULL CHECK (coming IN (0, 1)),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (moment_id, user_id)
);

CREATE INDEX moment_rsvps_user_idx ON moment_rsvps (user_id);

-- The reminders of a moment, one row per offset and start time: planned when the moment is
-- made or moved, released into the outbox when due (then 'sent'), or 'dropped' when the
-- moment had begun, or 'cancelled' when it moved or was cancelled. The scheduler's jobs are
-- rebuilt from these rows; nothing about them lives only in memory.
CREATE TABLE moment_reminders (
    id             INTEGER PRIMARY KEY,
    moment_id      INTEGER NOT NULL REFERENCES moments (id) ON DELETE CASCADE,
    offset_minutes INTEGER NOT NULL CHECK (offset_minutes > 0),
    starts_at      TEXT    NOT NULL,
    due_at         TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'dropped', 'cancelled')),
    updated_at     TEXT    NOT NULL,
    UNIQUE (moment_id, starts_at, offset_minutes)
);

CREATE INDEX moment_reminders_due_idx ON moment_reminders (status, due_at);
