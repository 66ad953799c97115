-- Of the token digests $1 held by live connections, those still valid (not revoked, not
-- expired, user not disabled), with their user as find-token-user.sql gives it.
SELECT t.token_hash, u.id, u.username, u.display_name, u.role, u.scopes, u.unit_id
  FROM user_tokens t JOIN users u ON u.id = t.user_id
 WHERE t.token_hash = ANY ($1::text[]) AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled
