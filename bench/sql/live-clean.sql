-- Removes what a live fan-out bench run left (real PostGIS is shared with other runs).
WITH o AS (DELETE FROM clue_outbox WHERE clue_code LIKE 'bench-live-%')
DELETE FROM clues WHERE code LIKE 'bench-live-%';
DELETE FROM users WHERE username LIKE 'bench-live-%';
