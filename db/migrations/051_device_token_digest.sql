-- Device tokens are 24 random bytes (192 bits): nobody can guess one, so a slow password hash
-- adds no protection for them, while it made every check cost ~30 ms of CPU that a flood of
-- guesses could use up. Tokens issued from now on are stored as their SHA-256 (as user bearer
-- tokens already are); a stored scrypt hash is replaced by the digest the first time its token
-- verifies. Nothing to convert here: a hash cannot be turned into a digest without the token.
COMMENT ON COLUMN devices.token_hash IS 'sha256$<hex> of the device token, or scrypt$N$salt$key for a token issued before migration 051 that has not verified since';
