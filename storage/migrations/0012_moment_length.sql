-- How long a moment lasts, in minutes, as its ambassador said ("until 21:30", "about two
-- hours"). NULL for moments planned before it was asked: calendar files give those two hours.
-- A length, not an end time, so that moving a moment keeps its length.
ALTER TABLE moments ADD COLUMN length_minutes INTEGER CHECK (length_minutes > 0);
