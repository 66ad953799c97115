INSERT INTO users (username, password_hash, display_name, role, scopes, unit_id)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, username, display_name, role, scopes, unit_id, disabled;
