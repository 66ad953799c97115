SELECT u.id, u.username, u.display_name, u.role, u.scopes, u.unit_id
FROM user_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled;
