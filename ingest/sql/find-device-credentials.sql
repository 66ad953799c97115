SELECT id, kind, disabled, token_hash FROM devices WHERE id = $1;
