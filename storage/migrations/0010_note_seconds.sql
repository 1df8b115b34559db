-- How long a voice note lasts, in seconds, as Telegram reported it when it arrived: the
-- moderators' lists name a voice note by its length ("gesproken briefje, 0:04"), since there is
-- nothing to play beside a button. NULL for words and photos, and for notes from before.
-- Portable like the files before it.

ALTER TABLE notes ADD COLUMN seconds INTEGER CHECK (seconds >= 0);
