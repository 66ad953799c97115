-- Retires the units in service that a replacing import left out ($1: the ids it kept).
UPDATE units SET retired_at = now(), updated_at = now() WHERE retired_at IS NULL AND id <> ALL ($1::text[])
