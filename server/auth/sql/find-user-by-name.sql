SELECT id, username, password_hash, display_name, role, scopes, unit_id, disabled
FROM users WHERE username = $1;
