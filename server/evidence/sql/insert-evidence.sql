-- Stores one piece of evidence once, whoever attaches it again ($1 sha256, $2 mime, $3 bytes,
-- $4 width, $5 height, $6 display sha256, $7 thumb sha256, $8 EXIF time, $9 EXIF lon,
-- $10 EXIF lat, $11 source).
INSERT INTO evidence (sha256, mime, bytes, width, height, display_sha256, thumb_sha256, taken_at, lon, lat, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (sha256) DO NOTHING
