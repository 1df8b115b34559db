-- The outbox: broadcasts, reminders and invitations are rows before they are messages.
-- One worker sends them at a paced rate; a crash leaves rows as 'sending', put back at start.

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL
        CHECK (kind IN ('theme', 'message', 'thanks', 'invitation', 'reminder')),
    theme_id            INTEGER REFERENCES themes (id) ON DELETE SET NULL,
    sender_chat_id      BIGINT,
    progress_message_id BIGINT,
    total               INTEGER NOT NULL,
    finished            INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),
    created_at          TEXT    NOT NULL,
    finished_at         TEXT
);

-- chat_id has no foreign key: role holders need not be residents, and an erased resident's
-- rows are deleted by erase_resident itself.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      BIGINT  NOT NULL,
    text         TEXT    NOT NULL,
    buttons      TEXT    NOT NULL DEFAULT '[]',
    due_at       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    dedupe_key   TEXT    UNIQUE,
    updated_at   TEXT    NOT NULL
);

CREATE INDEX outbox_due_idx ON outbox (status, due_at, id);

CREATE INDEX outbox_broadcast_idx ON outbox (broadcast_id, status);

CREATE INDEX outbox_chat_idx ON outbox (chat_id);

CREATE INDEX residents_place_idx ON residents (village_key, neighbourhood_key);
