-- Replaces a device's scrypt token hash by the token's digest once the token has verified; only
-- while the hash is still the one verified against, so a rotation in between is never undone.
UPDATE devices SET token_hash = $3 WHERE id = $1 AND token_hash = $2;
