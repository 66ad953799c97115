UPDATE devices SET token_hash = $2, token_rotated_at = now() WHERE id = $1 RETURNING id;
