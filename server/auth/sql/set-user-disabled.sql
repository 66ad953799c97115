UPDATE users SET disabled = $2 WHERE username = $1
RETURNING id, username, display_name, role, scopes, unit_id, disabled;
