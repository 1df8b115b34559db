-- Moderation (decisions, reports, digests), roles handed out with invite links, the audit trail.
--
-- Portable like 0001: BIGINT Telegram ids, ISO-8601 UTC text times, CHECK constraints for
-- enums, no triggers. A note's moderation state is derived, not stored twice: a note waits
-- while it is pending, has an open report, or (post-moderation) was never decided.

-- One row per decision on a note. round counts the decisions made on the note before this
-- one; two moderators deciding the same round meet the UNIQUE constraint, so only the first
-- decision is ever stored.
CREATE TABLE moderation_decisions (
    id             INTEGER PRIMARY KEY,
    note_id        INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    round          INTEGER NOT NULL CHECK (round >= 0),
    decision       TEXT    NOT NULL
        CHECK (decision IN ('approve', 'hide', 'move', 'duplicate', 'redact')),
    reason         TEXT
        CHECK (reason IS NULL OR reason IN ('private', 'hurtful', 'advert', 'other')),
    quadrant       TEXT
        CHECK (quadrant IS NULL
               OR quadrant IN ('wish', 'example', 'possibility', 'question', 'other')),
    duplicate_of   INTEGER REFERENCES notes (id) ON DELETE SET NULL,
    -- The moderator (a role holder, never the note's author); NULL once they erased their data.
    moderator_id   BIGINT,
    moderator_name TEXT,
    decided_at     TEXT    NOT NULL,
    UNIQUE (note_id, round)
);

CREATE INDEX moderation_decisions_duplicate_idx ON moderation_decisions (duplicate_of);

CREATE INDEX moderation_decisions_moderator_idx ON moderation_decisions (moderator_id);

-- A resident's report of a note on the board. reporter_id only keeps one resident from
-- reporting the same note twice; /vergeet empties it. A decision on the note handles it.
CREATE TABLE note_reports (
    id          INTEGER PRIMARY KEY,
    note_id     INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    reporter_id BIGINT,
    reason      TEXT    NOT NULL
        CHECK (reason IN ('private', 'hurtful', 'advert', 'wrong_place', 'other')),
    created_at  TEXT    NOT NULL,
    handled_at  TEXT
);

CREATE INDEX note_reports_open_idx ON note_reports (handled_at, note_id);

CREATE INDEX note_reports_reporter_idx ON note_reports (reporter_id);

-- The last digest each moderator got, with the queue's marks at that moment: at most one
-- digest per interval, also across restarts.
CREATE TABLE moderation_digests (
    moderator_id BIGINT NOT NULL PRIMARY KEY,
    sent_at      TEXT   NOT NULL,
    note_mark    BIGINT NOT NULL DEFAULT 0,
    report_mark  BIGINT NOT NULL DEFAULT 0
);

-- One-time invite links. Only a hash of the token is kept: the link itself exists only in
-- the admin's chat and with the person it was given to.
CREATE TABLE role_invites (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    role         TEXT    NOT NULL CHECK (role IN ('moderator', 'ambassador')),
    area_key     TEXT,
    created_by   BIGINT,
    created_name TEXT,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    used_at      TEXT,
    used_by      BIGINT,
    revoked_at   TEXT,
    CHECK ((role = 'ambassador') = (area_key IS NOT NULL))
);

-- Roles given in the chat; the config's [roles] stay valid beside them. A revoked role keeps
-- its row (revoked_at) for the record.
CREATE TABLE role_grants (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT  NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('moderator', 'ambassador')),
    area_key    TEXT,
    holder_name TEXT,
    invite_id   INTEGER REFERENCES role_invites (id) ON DELETE SET NULL,
    granted_at  TEXT    NOT NULL,
    revoked_at  TEXT,
    revoked_by  BIGINT,
    CHECK ((role = 'ambassador') = (area_key IS NOT NULL))
);

CREATE INDEX role_grants_user_idx ON role_grants (user_id, revoked_at);

-- Role changes, moderation decisions, broadcasts and exports. Actor and subject are role
-- holders; theme_id and note_id have no foreign key, as the trail outlives what it names.
-- detail is JSON with codes and counts only, never what a resident wrote.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    actor_id     BIGINT,
    actor_name   TEXT,
    action       TEXT    NOT NULL
        CHECK (action IN ('invite', 'invite_revoke', 'role_grant', 'role_revoke', 'decision',
                          'broadcast', 'export', 'contacts_export')),
    subject_id   BIGINT,
    subject_name TEXT,
    theme_id     INTEGER,
    note_id      INTEGER,
    detail       TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);

CREATE INDEX audit_log_subject_idx ON audit_log (subject_id);
