-- Registers a device; an id already taken inserts nothing (the caller reports it as existing).
INSERT INTO devices (id, kind, token_hash, home_unit_id, metadata)
VALUES ($1, $2, $3, $4, $5::jsonb)
ON CONFLICT (id) DO NOTHING
RETURNING id;
