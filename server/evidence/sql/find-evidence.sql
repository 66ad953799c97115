-- One piece of evidence by the SHA-256 of its original ($1), whichever clue it belongs to.
SELECT * FROM evidence WHERE sha256 = $1
