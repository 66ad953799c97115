INSERT INTO user_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3);
