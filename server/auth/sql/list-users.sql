SELECT id, username, display_name, role, scopes, unit_id, disabled, created_at
FROM users ORDER BY id;
