-- Updates the bot could not read (an older or unknown shape of the Bot API), set aside so
-- that one of them cannot stop the bot from starting or block a chat. Kept for a person to
-- inspect; chat_id is there so that erasing a resident erases their set-aside updates too.
-- Portable like the files before it.

CREATE TABLE inbox_set_aside (
    update_id   BIGINT NOT NULL PRIMARY KEY,
    chat_id     BIGINT,
    payload     TEXT   NOT NULL,
    reason      TEXT   NOT NULL,
    set_aside_at TEXT  NOT NULL
);

CREATE INDEX inbox_set_aside_chat_idx ON inbox_set_aside (chat_id);
